/** asl-validator 4.0.0 ships no type declarations: what the tests use of it. */
declare module 'asl-validator' {
  export default function aslValidator(definition: unknown): { isValid: boolean; errors: unknown[] };
}
