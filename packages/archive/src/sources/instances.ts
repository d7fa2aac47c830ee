// The instances of a run, from what the user named: folders (walked), manifests (read), DICOM files and
// WADO-RS URLs (taken as they are). Paths come out absolute, so that a rerun from another working folder
// recognises what is done.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { archiveFail } from '../errors.js';
import { isManifest, readManifest } from './read-manifest.js';
import { isUrl } from './wado-rs.js';
import { walkFolder } from './walk-folder.js';

/** What one input is. */
export type InputKind = 'folder' | 'manifest' | 'file' | 'url';

/** Options of {@link listInstances}. */
export interface ListOptions {
  /** Folders not to enter (the output folder). */
  exclude?: readonly string[];
  /** A folder inside a walked tree that cannot be listed: reported here and passed over (default: thrown). */
  onError?: (dir: string, error: unknown) => void;
}

/**
 * The kind of each input, checked before a run starts.
 * @throws CxrkitError `ARCHIVE_BAD_INPUT` for an input that does not exist (or is neither file nor folder).
 */
export async function classifyInputs(inputs: readonly string[]): Promise<InputKind[]> {
  if (inputs.length === 0) {
    archiveFail(
      'ARCHIVE_BAD_INPUT',
      'no input given',
      inputs,
      'name a folder, a manifest, DICOM files or WADO-RS URLs',
    );
  }
  return Promise.all(
    inputs.map(async (input): Promise<InputKind> => {
      if (isUrl(input)) return 'url';
      const s = await stat(input).catch(() => undefined);
      if (s?.isDirectory()) return 'folder';
      if (s?.isFile()) return isManifest(input) ? 'manifest' : 'file';
      return archiveFail(
        'ARCHIVE_BAD_INPUT',
        `${input} is not a folder, a file or an http(s) URL`,
        input,
        'check the path; WADO-RS instances are http(s)://…/studies/{s}/series/{s}/instances/{i}',
      );
    }),
  );
}

/** Yields every instance the inputs name, in input order (absolute paths, or URLs). */
export async function* listInstances(inputs: readonly string[], options: ListOptions = {}): AsyncGenerator<string> {
  const kinds = await classifyInputs(inputs);
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    switch (kinds[i]) {
      case 'url':
        yield input;
        break;
      case 'file':
        yield resolve(input);
        break;
      case 'manifest':
        yield* readManifest(input);
        break;
      default:
        yield* walkFolder(input, options);
    }
  }
}
