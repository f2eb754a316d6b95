import type { Response } from 'express';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Charts for the pages, drawn on the server by Vega-Lite as SVG images (no script in the page,
 * nothing from a CDN); a page shows each beside a table of its figures.
 */

/**
 * Drawn about as wide as a phone's column, with text at the page's size, so that on a phone the
 * image is shown at its own size: a wider chart shrunk to fit had 8 px labels.
 */
const LOOK = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
  axis: { labelFontSize: 14, titleFontSize: 14, titleFontWeight: 600, labelColor: '#1b1f24', titleColor: '#1b1f24' },
  legend: { labelFontSize: 14, titleFontSize: 14, orient: 'bottom' },
  view: { stroke: null },
} as const;
const CHART_WIDTH = 300;
/** The image's width as drawn: the plot and its axes' labels. */
export const IMAGE_WIDTH = 360;

/** A chart drawn as SVG from its Vega-Lite spec, at the pages' width and type (any page's chart, not only the dashboard's). */
export async function drawSvg(spec: TopLevelSpec, alt: string): Promise<string> {
  const compiled = compile({ ...spec, width: CHART_WIDTH, height: 180, description: alt, config: LOOK } as TopLevelSpec).spec;
  return new vega.View(vega.parse(compiled), { renderer: 'none' }).toSVG();
}

/** Sends a drawn chart: private to its reader, never sniffed as anything but SVG. */
export function sendSvg(res: Response, svg: string): void {
  res.set({ 'Content-Type': 'image/svg+xml', 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' }).send(svg);
}
