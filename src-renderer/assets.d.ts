/** Our SVGs in assets/, bundled by esbuild's dataurl loader (scripts/build.mjs). */
declare module '*.svg' {
  const dataUrl: string;
  export default dataUrl;
}
