// The version nonred reports (CLI --version, CycloneDX tool metadata).
export const NONRED_VERSION = '0.1.0';
