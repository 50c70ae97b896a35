import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../domain/errors.js';
import { DEFAULT_CJK_FONT, formatCny, formatDateTime, PdfReport, resolvePdfFont } from './pdf.js';

const FONT_INSTALLED = fs.existsSync(DEFAULT_CJK_FONT);
const PDFTOTEXT = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function errorCode(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return isAppError(e) ? e.code : 'NOT_APP_ERROR';
  }
}

describe('money and time formats', () => {
  it.each([
    [0, '¥0.00'],
    [5, '¥0.05'],
    [100, '¥1.00'],
    [320_050, '¥3,200.50'],
    [123_456_789, '¥1,234,567.89'],
    [100_000_000_000, '¥1,000,000,000.00'],
    [-1_999, '-¥19.99'],
  ])('%i cents → %s', (cents, text) => {
    expect(formatCny(cents)).toBe(text);
  });

  it('null is a dash; the symbol can be left out', () => {
    expect(formatCny(null)).toBe('—');
    expect(formatCny(123_400, false)).toBe('1,234.00');
  });

  it('times are shown in Asia/Shanghai, 24-hour', () => {
    expect(formatDateTime(Date.UTC(2026, 7, 4, 2, 0, 0))).toBe('2026-08-04 10:00');
    expect(formatDateTime(Date.UTC(2025, 11, 31, 16, 30, 0))).toBe('2026-01-01 00:30');
    expect(formatDateTime(Date.UTC(2026, 7, 4, 2, 0, 0), 'UTC')).toBe('2026-08-04 02:00');
  });
});

describe('the CJK font', () => {
  it('a missing ZHILU_PDF_FONT is PDF_FONT_MISSING, without the path in the message', () => {
    try {
      resolvePdfFont({ ZHILU_PDF_FONT: '/nowhere/font.ttf' });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('PDF_FONT_MISSING');
      expect((e as Error).message).not.toContain('/nowhere');
    }
  });

  it('a configured .ttc needs the face name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhilu-font-'));
    const ttc = path.join(dir, 'x.ttc');
    fs.writeFileSync(ttc, 'not really');
    expect(errorCode(() => resolvePdfFont({ ZHILU_PDF_FONT: ttc }))).toBe('PDF_FONT_MISSING');
    expect(resolvePdfFont({ ZHILU_PDF_FONT: ttc, ZHILU_PDF_FONT_FAMILY: 'Face-Regular' })).toEqual({
      path: ttc,
      family: 'Face-Regular',
    });
    const ttf = path.join(dir, 'x.ttf');
    fs.writeFileSync(ttf, 'not a font either');
    expect(resolvePdfFont({ ZHILU_PDF_FONT: ttf })).toEqual({ path: ttf });
    // A file that is not a font is refused when the document is built.
    expect(errorCode(() => new PdfReport({ title: 't', generatedAt: 0, font: { path: ttf } }))).toBe(
      'PDF_FONT_INVALID',
    );
  });

  it.skipIf(!FONT_INSTALLED)('defaults to Noto Sans CJK SC (regular and bold) from fonts-noto-cjk', () => {
    expect(resolvePdfFont({})).toMatchObject({
      path: DEFAULT_CJK_FONT,
      family: 'NotoSansCJKsc-Regular',
      bold: { family: 'NotoSansCJKsc-Bold' },
    });
  });
});

describe.skipIf(!FONT_INSTALLED)('PdfReport', () => {
  it('breaks a long table across pages, repeating its header, and numbers every page', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => [
      `第${i + 1}行`,
      `设备-${String(i + 1).padStart(3, '0')}`,
      i % 7 === 0 ? '较长的说明文字，'.repeat(6) : '正常',
      formatCny(i * 1234),
    ]);
    const pdf = new PdfReport({
      title: '分页测试报表',
      subtitle: '表格跨页',
      meta: [['单位', '测试中队']],
      generatedAt: Date.UTC(2026, 7, 4, 2, 0, 0),
    })
      .heading('一、明细')
      .table({
        columns: [
          { header: '行号', width: 1 },
          { header: '设备编号', width: 1.5 },
          { header: '说明', width: 4 },
          { header: '金额', width: 1.5, align: 'right' },
        ],
        rows,
        footer: ['合计', '', '', formatCny(rows.length)],
      })
      .heading('二、空表')
      .table({ columns: [{ header: '列', width: 1 }], rows: [], emptyText: '（本节无数据）' });
    const bytes = await pdf.finish();
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    if (!PDFTOTEXT) {
      if (process.env.CI) throw new Error('CI must check the PDF text: install poppler-utils');
      return;
    }
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zhilu-pdf-')), 'long.pdf');
    fs.writeFileSync(file, bytes);
    const pages = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })
      .split('\f')
      .filter((p) => p.trim());
    expect(pages.length).toBeGreaterThan(3);
    const flat = pages.map((p) => p.replace(/\s+/g, ''));
    flat.forEach((p, i) => {
      expect(p, `page ${i + 1}`).toContain('设备编号'); // the header on every page
      expect(p, `page ${i + 1}`).toContain(`第${i + 1}页/共${pages.length}页`);
      expect(p, `page ${i + 1}`).toContain('生成时间2026-08-0410:00');
    });
    const all = flat.join('');
    for (let i = 1; i <= 150; i++) expect(all).toContain(`设备-${String(i).padStart(3, '0')}`);
    expect(all).toContain('（本节无数据）');
    expect(flat[0]).toContain('分页测试报表');
  });
});
