// picomatch 2 ships no types (and @types/picomatch would be one more package); this is the part warden uses.
declare module 'picomatch' {
  interface ScanResult {
    base: string;
    glob: string;
    isGlob: boolean;
  }
  interface Picomatch {
    (glob: string, options?: { dot?: boolean }): (input: string) => boolean;
    scan(input: string): ScanResult;
  }
  const picomatch: Picomatch;
  export default picomatch;
}
