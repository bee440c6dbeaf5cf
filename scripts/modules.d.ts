// Modules the test tooling loads that ship no type declarations (typed as `any`).
declare module 'mocha/lib/runner';
declare module 'mocha/lib/cli/cli';
