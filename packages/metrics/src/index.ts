// @cxrkit/metrics — public entry point (filled in by its issue).
export {};
