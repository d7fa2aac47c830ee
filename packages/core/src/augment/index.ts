// Barrel for the augment module of @cxrkit/core.
export {};
