// Barrel for the dicom module of @cxrkit/core.
export {};
