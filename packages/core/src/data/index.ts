// Barrel for the data module of @cxrkit/core.
export {};
