/** uPlot's constructor as the kit bundles it (imported by <tessera-time-series> when it first draws). */
declare const uPlot: new (options: object, data: unknown[][], target: HTMLElement) => {
  setData(data: unknown[][]): void;
  setSize(size: { width: number; height: number }): void;
  destroy(): void;
};
export default uPlot;
/** uPlot's stylesheet, as text. */
export declare const uplotCss: string;
