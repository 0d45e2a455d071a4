/** The diagram's formats, with nothing else loaded (`diagram --help` lists them). */
export const DIAGRAM_FORMATS = ["svg", "mermaid", "dot"] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];
