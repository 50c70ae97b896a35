// Chinese PDF documents with pdfkit: a title block, headings, paragraphs, key–value
// blocks and ruled tables that break across pages with their header repeated, and a
// footer on every page with the page number and the generation time (Asia/Shanghai).
// Also horizontal bar charts drawn with pdfkit primitives. The equipment report uses it;
// the compliance reports and explanatory notes reuse it.
import fs from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { AppError } from '../domain/errors.js';

export const DEFAULT_CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
/** PostScript name of the Simplified Chinese face inside the Noto Sans CJK collection. */
const NOTO_SC_FAMILY = 'NotoSansCJKsc-Regular';
export const REPORT_TIME_ZONE = 'Asia/Shanghai';

export interface PdfFont {
  path: string;
  /** For a font collection (.ttc): the PostScript name of the face to use. */
  family?: string;
  bold?: { path: string; family?: string };
}

/**
 * The CJK font: ZHILU_PDF_FONT (a .ttf/.otf, or a .ttc with ZHILU_PDF_FONT_FAMILY naming
 * the face) or Noto Sans CJK from Debian's fonts-noto-cjk. Missing → PDF_FONT_MISSING.
 */
export function resolvePdfFont(env: NodeJS.ProcessEnv = process.env): PdfFont {
  const configured = env.ZHILU_PDF_FONT?.trim() || '';
  const file = configured || DEFAULT_CJK_FONT;
  // The message names the setting and the package, not the server's file paths.
  if (!fs.existsSync(file))
    throw new AppError('PDF_FONT_MISSING', 500, {
      zh: configured
        ? '找不到 ZHILU_PDF_FONT 指定的中文字体文件，无法生成 PDF；请检查该设置'
        : '找不到生成中文 PDF 所需的字体；请安装 fonts-noto-cjk，或用 ZHILU_PDF_FONT 指定中文字体文件',
      en: configured
        ? 'The Chinese font file named by ZHILU_PDF_FONT does not exist, so no PDF can be made; check that setting'
        : 'The font needed for Chinese PDFs is missing; install fonts-noto-cjk or point ZHILU_PDF_FONT at a Chinese font file',
    });
  const isCollection = path.extname(file).toLowerCase() === '.ttc';
  const family = isCollection
    ? env.ZHILU_PDF_FONT_FAMILY?.trim() || (configured ? undefined : NOTO_SC_FAMILY)
    : undefined;
  if (isCollection && !family)
    throw new AppError('PDF_FONT_MISSING', 500, {
      zh: 'ZHILU_PDF_FONT 指向字体集（.ttc），须再用 ZHILU_PDF_FONT_FAMILY 指定其中的字体名（如 NotoSansCJKsc-Regular）',
      en: 'ZHILU_PDF_FONT names a font collection (.ttc); set ZHILU_PDF_FONT_FAMILY to the face to use (e.g. NotoSansCJKsc-Regular)',
    });
  const font: PdfFont = { path: file, ...(family ? { family } : {}) };
  // The bold face beside the default Noto font, when installed; headings fall back to regular.
  if (!configured) {
    const boldPath = path.join(path.dirname(file), 'NotoSansCJK-Bold.ttc');
    if (fs.existsSync(boldPath)) font.bold = { path: boldPath, family: 'NotoSansCJKsc-Bold' };
  }
  return font;
}

// Font files are large (a CJK collection is ~20 MB): read each once per process.
const fontBytes = new Map<string, Buffer>();
function readFont(file: string): Buffer {
  let b = fontBytes.get(file);
  if (!b) {
    b = fs.readFileSync(file);
    fontBytes.set(file, b);
  }
  return b;
}

/** "2026-08-04 10:00" in the given time zone. */
export function formatDateTime(epochMs: number, timeZone = REPORT_TIME_ZONE): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(epochMs));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** Cents → "¥1,234.56" without floating-point rounding. */
export function formatCny(cents: number | null, symbol = true): string {
  if (cents === null) return '—';
  const negative = cents < 0;
  const abs = Math.abs(Math.trunc(cents));
  const yuan = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fen = String(abs % 100).padStart(2, '0');
  return `${negative ? '-' : ''}${symbol ? '¥' : ''}${yuan}.${fen}`;
}

export interface PdfColumn {
  header: string;
  /** Relative width: columns share the text width in proportion. */
  width: number;
  align?: 'left' | 'right' | 'center';
}

export interface PdfTableSpec {
  columns: PdfColumn[];
  rows: string[][];
  /** A last row drawn in bold on a shaded background (totals). */
  footer?: string[];
  /** Shown instead of an empty table. */
  emptyText?: string;
}

export interface PdfBarChartSpec {
  title?: string;
  /** One bar per category, top to bottom. */
  categories: string[];
  /** Stacked left to right; each has one value per category. */
  series: { name: string; color: string; values: number[] }[];
  /** Whether to show the series names (default: when there is more than one series). */
  legend?: boolean;
  /** The end of the scale (e.g. 1 for shares); default: a round number above the largest bar. */
  max?: number;
  valueLabel?: (total: number, index: number) => string;
  axisLabel?: (value: number) => string;
  /** Shown instead of a chart with nothing to draw. */
  emptyText?: string;
}

/** A round scale end at or above `v` whose quarters are round too (4, 8, 20, 40, 100, …). */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const quarter = v / 4;
  const p = 10 ** Math.floor(Math.log10(quarter));
  // 2.5 only where a quarter of it is still a whole number (25, 250, …)
  const steps = p >= 10 ? [1, 2, 2.5, 5, 10] : [1, 2, 5, 10];
  const step = steps.map((m) => m * p).find((s) => s >= quarter)!;
  return Math.max(step * 4, 4);
}

export interface PdfDocumentOptions {
  title: string;
  subtitle?: string;
  /** Lines under the title, e.g. [['单位', '第一中队'], ['生成时间', '…']]. */
  meta?: [string, string][];
  generatedAt: number;
  timeZone?: string;
  /** Printed in the footer left of the page number, e.g. the system name. */
  footerLabel?: string;
  author?: string;
  landscape?: boolean;
  font?: PdfFont;
}

const COLORS = {
  text: '#1f1f1f',
  muted: '#595959',
  rule: '#8c8c8c',
  headerFill: '#e8edf3',
  footerFill: '#f2f2f2',
};
const SIZES = { title: 18, subtitle: 12, heading: 13, body: 10, table: 9, footer: 8 };
const CELL_PAD = 4;

/** Builds one document in memory; `finish()` adds the footers and returns the bytes. */
export class PdfReport {
  private readonly doc: PDFKit.PDFDocument;
  private readonly chunks: Buffer[] = [];
  private readonly done: Promise<Buffer>;
  private readonly hasBold: boolean;

  constructor(private readonly options: PdfDocumentOptions) {
    const font = options.font ?? resolvePdfFont();
    this.doc = new PDFDocument({
      size: 'A4',
      layout: options.landscape ? 'landscape' : 'portrait',
      margins: { top: 50, bottom: 56, left: 48, right: 48 },
      bufferPages: true,
      info: {
        Title: options.title,
        Author: options.author ?? 'zhilu 执录',
        Creator: 'zhilu 执录',
        CreationDate: new Date(options.generatedAt),
      },
      lang: 'zh-CN',
      displayTitle: true,
    });
    this.done = new Promise<Buffer>((resolve, reject) => {
      this.doc.on('data', (c: Buffer) => this.chunks.push(c));
      this.doc.on('end', () => resolve(Buffer.concat(this.chunks)));
      this.doc.on('error', reject);
    });
    this.hasBold = font.bold !== undefined;
    try {
      this.doc.registerFont('body', readFont(font.path), font.family);
      if (font.bold) this.doc.registerFont('bold', readFont(font.bold.path), font.bold.family);
      // pdfkit opens a registered font when it is first selected: a bad file fails here.
      if (font.bold) this.doc.font('bold');
      this.doc.font('body').fillColor(COLORS.text);
    } catch {
      throw new AppError('PDF_FONT_INVALID', 500, {
        zh: '中文字体文件无法使用（不是有效字体，或 ZHILU_PDF_FONT_FAMILY 的字体名不对）；请检查 ZHILU_PDF_FONT 设置',
        en: 'The Chinese font cannot be used (not a font file, or ZHILU_PDF_FONT_FAMILY names no face in it); check ZHILU_PDF_FONT',
      });
    }
    this.titleBlock();
  }

  private get left() {
    return this.doc.page.margins.left;
  }
  private get width() {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }
  private get bottom() {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }
  private boldFont() {
    return this.doc.font(this.hasBold ? 'bold' : 'body');
  }

  private titleBlock(): void {
    const d = this.doc;
    this.boldFont()
      .fontSize(SIZES.title)
      .text(this.options.title, this.left, d.page.margins.top, { width: this.width, align: 'center' });
    if (this.options.subtitle) {
      d.moveDown(0.3);
      d.font('body')
        .fontSize(SIZES.subtitle)
        .fillColor(COLORS.muted)
        .text(this.options.subtitle, { width: this.width, align: 'center' });
    }
    const meta = this.options.meta ?? [];
    if (meta.length) {
      d.moveDown(0.5);
      d.font('body').fontSize(SIZES.body).fillColor(COLORS.muted);
      d.text(meta.map(([k, v]) => `${k}：${v}`).join('    '), this.left, d.y, {
        width: this.width,
        align: 'center',
      });
    }
    d.moveDown(0.6);
    const y = d.y;
    d.moveTo(this.left, y)
      .lineTo(this.left + this.width, y)
      .lineWidth(1)
      .strokeColor(COLORS.rule)
      .stroke();
    d.fillColor(COLORS.text);
    d.y = y + 10;
  }

  /** Starts a new page when fewer than `points` remain. */
  private ensureSpace(points: number): void {
    if (this.doc.y + points > this.bottom) this.doc.addPage();
  }

  heading(text: string): this {
    const d = this.doc;
    this.ensureSpace(SIZES.heading * 4);
    d.moveDown(0.4);
    this.boldFont()
      .fontSize(SIZES.heading)
      .fillColor(COLORS.text)
      .text(text, this.left, d.y, { width: this.width });
    d.moveDown(0.3);
    return this;
  }

  paragraph(text: string, opts: { muted?: boolean; size?: number } = {}): this {
    const d = this.doc;
    d.font('body')
      .fontSize(opts.size ?? SIZES.body)
      .fillColor(opts.muted ? COLORS.muted : COLORS.text);
    this.ensureSpace(d.heightOfString(text, { width: this.width }));
    d.text(text, this.left, d.y, { width: this.width, lineGap: 2 });
    d.fillColor(COLORS.text).moveDown(0.4);
    return this;
  }

  /** A two-column table of labels and values. */
  keyValues(pairs: [string, string][]): this {
    return this.table({
      columns: [
        { header: '项目', width: 3 },
        { header: '数值', width: 2, align: 'right' },
      ],
      rows: pairs.map(([k, v]) => [k, v]),
    });
  }

  table(spec: PdfTableSpec): this {
    const d = this.doc;
    if (spec.rows.length === 0 && !spec.footer)
      return this.paragraph(spec.emptyText ?? '（无）', { muted: true });
    const total = spec.columns.reduce((s, c) => s + c.width, 0);
    const widths = spec.columns.map((c) => (c.width / total) * this.width);
    d.fontSize(SIZES.table);
    const rowHeight = (cells: string[], bold: boolean) => {
      (bold ? this.boldFont() : d.font('body')).fontSize(SIZES.table);
      return (
        Math.max(
          ...cells.map((text, i) => d.heightOfString(text || ' ', { width: widths[i]! - 2 * CELL_PAD })),
        ) +
        2 * CELL_PAD
      );
    };
    const drawRow = (cells: string[], kind: 'header' | 'body' | 'footer') => {
      const bold = kind !== 'body';
      const h = rowHeight(cells, bold);
      if (d.y + h > this.bottom) {
        d.addPage();
        if (kind !== 'header')
          drawRow(
            spec.columns.map((c) => c.header),
            'header',
          );
      }
      const y = d.y;
      let x = this.left;
      if (kind !== 'body')
        d.rect(this.left, y, this.width, h)
          .fillColor(kind === 'header' ? COLORS.headerFill : COLORS.footerFill)
          .fill();
      d.lineWidth(0.5).strokeColor(COLORS.rule);
      cells.forEach((text, i) => {
        const w = widths[i]!;
        d.rect(x, y, w, h).stroke();
        (bold ? this.boldFont() : d.font('body')).fontSize(SIZES.table).fillColor(COLORS.text);
        const align = kind === 'header' ? 'center' : (spec.columns[i]!.align ?? 'left');
        d.text(text, x + CELL_PAD, y + CELL_PAD, { width: w - 2 * CELL_PAD, align, lineBreak: true });
        x += w;
      });
      d.x = this.left;
      d.y = y + h;
    };
    // Keep the header with at least its first row.
    const first = spec.rows[0] ?? spec.footer ?? [];
    this.ensureSpace(
      rowHeight(
        spec.columns.map((c) => c.header),
        true,
      ) + rowHeight(first, false),
    );
    drawRow(
      spec.columns.map((c) => c.header),
      'header',
    );
    for (const r of spec.rows) drawRow(r, 'body');
    if (spec.footer) drawRow(spec.footer, 'footer');
    d.font('body').fontSize(SIZES.body);
    d.moveDown(0.6);
    return this;
  }

  /**
   * A horizontal bar chart drawn with pdfkit's own primitives (no browser): one bar per
   * category, the series stacked left to right, the total (or `valueLabel`) at its end,
   * gridlines at quarters of the scale. Long labels are cut to fit.
   */
  barChart(spec: PdfBarChartSpec): this {
    const d = this.doc;
    const count = spec.categories.length;
    const totals = spec.categories.map((_, i) =>
      spec.series.reduce((s, se) => s + Math.max(0, se.values[i] ?? 0), 0),
    );
    if (count === 0 || totals.every((t) => t === 0))
      return this.paragraph(spec.emptyText ?? '（无数据）', { muted: true });
    const legend = spec.legend ?? spec.series.length > 1;
    const rowH = 16;
    const barH = 10;
    const legendH = legend ? 16 : 0;
    const titleH = spec.title ? 18 : 0;
    const axisH = 16;
    this.ensureSpace(titleH + legendH + count * rowH + axisH + 8);
    if (spec.title) {
      this.boldFont().fontSize(SIZES.body).fillColor(COLORS.text);
      d.text(spec.title, this.left, d.y, { width: this.width, lineBreak: false });
      d.y += titleH - 4;
    }
    let y = d.y;
    d.font('body').fontSize(SIZES.footer);
    if (legend) {
      let x = this.left;
      for (const se of spec.series) {
        d.rect(x, y + 2, 8, 8)
          .fillColor(se.color)
          .fill();
        d.fillColor(COLORS.text).text(se.name, x + 11, y + 1, { lineBreak: false });
        x += 11 + d.widthOfString(se.name) + 14;
      }
      y += legendH;
    }
    const labelW = this.width * 0.28;
    const valueW = 56;
    const x0 = this.left + labelW + 6;
    const barW = this.width - labelW - 6 - valueW;
    const max = spec.max ?? niceMax(Math.max(...totals));
    const fit = (text: string, width: number) => {
      if (d.widthOfString(text) <= width) return text;
      let t = text;
      while (t.length > 1 && d.widthOfString(`${t}…`) > width) t = t.slice(0, -1);
      return `${t}…`;
    };
    for (const f of [0.25, 0.5, 0.75, 1]) {
      const x = x0 + barW * f;
      d.moveTo(x, y)
        .lineTo(x, y + count * rowH)
        .lineWidth(0.3)
        .strokeColor('#d9d9d9')
        .stroke();
    }
    spec.categories.forEach((label, i) => {
      const ry = y + i * rowH;
      d.font('body').fontSize(SIZES.footer).fillColor(COLORS.text);
      d.text(fit(label, labelW), this.left, ry + 3, { width: labelW, align: 'right', lineBreak: false });
      let x = x0;
      for (const se of spec.series) {
        const w = (barW * Math.max(0, se.values[i] ?? 0)) / max;
        if (w > 0)
          d.rect(x, ry + (rowH - barH) / 2, Math.min(w, x0 + barW - x), barH)
            .fillColor(se.color)
            .fill();
        x += w;
      }
      const value = spec.valueLabel ? spec.valueLabel(totals[i]!, i) : String(totals[i]);
      d.fillColor(COLORS.text).text(value, Math.min(x, x0 + barW) + 3, ry + 3, {
        width: valueW,
        lineBreak: false,
      });
    });
    const ay = y + count * rowH;
    d.moveTo(x0, ay)
      .lineTo(x0 + barW, ay)
      .lineWidth(0.5)
      .strokeColor(COLORS.rule)
      .stroke();
    d.moveTo(x0, y).lineTo(x0, ay).lineWidth(0.5).strokeColor(COLORS.rule).stroke();
    d.fontSize(7).fillColor(COLORS.muted);
    for (const f of [0, 0.25, 0.5, 0.75, 1]) {
      const v = max * f;
      const text = spec.axisLabel ? spec.axisLabel(v) : Number.isInteger(v) ? String(v) : v.toFixed(1);
      d.text(text, x0 + barW * f - 20, ay + 3, { width: 40, align: 'center', lineBreak: false });
    }
    d.x = this.left;
    d.y = ay + axisH + 8;
    d.font('body').fontSize(SIZES.body).fillColor(COLORS.text);
    return this;
  }

  /** Adds "第 n 页 / 共 m 页" and the generation time to every page and returns the PDF. */
  async finish(): Promise<Buffer> {
    const d = this.doc;
    const range = d.bufferedPageRange();
    const stamp = `生成时间 ${formatDateTime(this.options.generatedAt, this.options.timeZone)}（北京时间）`;
    const label = this.options.footerLabel ?? '执录 · 执法音像记录管理系统';
    for (let i = range.start; i < range.start + range.count; i++) {
      d.switchToPage(i);
      // Writing inside the bottom margin must not start a new page.
      const margin = d.page.margins.bottom;
      d.page.margins.bottom = 0;
      const y = d.page.height - margin + 18;
      d.moveTo(this.left, y - 6)
        .lineTo(this.left + this.width, y - 6)
        .lineWidth(0.5)
        .strokeColor(COLORS.rule)
        .stroke();
      d.font('body').fontSize(SIZES.footer).fillColor(COLORS.muted);
      d.text(`${label}    ${stamp}`, this.left, y, { width: this.width, align: 'left', lineBreak: false });
      d.text(`第 ${i - range.start + 1} 页 / 共 ${range.count} 页`, this.left, y, {
        width: this.width,
        align: 'right',
        lineBreak: false,
      });
      d.page.margins.bottom = margin;
    }
    d.end();
    return this.done;
  }
}
