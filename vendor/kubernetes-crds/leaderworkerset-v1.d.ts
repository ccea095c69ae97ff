/** Validates a whole object against the CRD schema (ajv, precompiled); errors on validate.errors. */
export function validate(data: unknown): boolean;
