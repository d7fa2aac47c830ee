// Barrel for the image module of @cxrkit/core.
export {};
