// Barrel for the synthetic module of @cxrkit/core.
export {};
