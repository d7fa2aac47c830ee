// Minimal typings for the parts of dcmjs 0.50 this package uses (dcmjs ships none).
declare module 'dcmjs' {
  /** A data set keyed by DICOM keyword (dcmjs's "naturalized" form); sequences are arrays of such. */
  export type NaturalDataset = Record<string, unknown>;
  /** A data set keyed by 8-hex tag, each `{ vr, Value }` (DICOM JSON model). */
  export type TagDataset = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string }>;

  export interface DicomDict {
    meta: TagDataset;
    dict: TagDataset;
    write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
  }

  export interface ReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
  }

  /** A coded concept (Code Value, Coding Scheme Designator, Code Meaning). */
  export interface CodedConcept {
    CodeValue: string;
    CodingSchemeDesignator: string;
    CodeMeaning: string;
    readonly value: string;
    readonly meaning: string;
    readonly schemeDesignator: string;
  }

  /** One SR content item in naturalized form. */
  export type ContentItem = NaturalDataset & { ContentSequence?: ContentItem[] };

  interface ItemOptions {
    name: CodedConcept;
    relationshipType?: string;
  }

  const dcmjs: {
    data: {
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict;
      };
      DicomMetaDictionary: {
        naturalizeDataset(dataset: TagDataset): NaturalDataset;
        denaturalizeDataset(dataset: NaturalDataset): TagDataset;
      };
      DicomDict: new (meta: TagDataset) => DicomDict;
    };
    sr: {
      coding: {
        CodedConcept: new (options: {
          value: string;
          meaning: string;
          schemeDesignator: string;
          schemeVersion?: string;
        }) => CodedConcept;
      };
      valueTypes: {
        RelationshipTypes: Record<
          | 'CONTAINS'
          | 'HAS_ACQ_CONTENT'
          | 'HAS_CONCEPT_MOD'
          | 'HAS_OBS_CONTEXT'
          | 'HAS_PROPERTIES'
          | 'INFERRED_FROM'
          | 'SELECTED_FROM',
          string
        >;
        CodeContentItem: new (options: ItemOptions & { value: CodedConcept }) => ContentItem;
        TextContentItem: new (options: ItemOptions & { value: string }) => ContentItem;
        UIDRefContentItem: new (options: ItemOptions & { value: string }) => ContentItem;
        NumContentItem: new (options: ItemOptions & { value: number; unit: CodedConcept }) => ContentItem;
        ContainerContentItem: new (
          options: ItemOptions & { isContentContinuous?: boolean; templateID?: string },
        ) => ContentItem;
        ImageContentItem: new (
          options: ItemOptions & { referencedSOPClassUID: string; referencedSOPInstanceUID: string },
        ) => ContentItem;
      };
    };
    log: { setLevel(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'): void };
  };
  export default dcmjs;
}
