import { describe, expect, it } from 'vitest';
import { contentDisposition } from './reports.js';

describe('contentDisposition (RFC 6266 / RFC 5987)', () => {
  it('keeps a Chinese name in filename* and an ASCII fallback in filename', () => {
    const h = contentDisposition('装备报表-2026-第一中队.pdf', 'equipment-report-2026.pdf');
    expect(h).toBe(
      `attachment; filename="equipment-report-2026.pdf"; filename*=UTF-8''${encodeURIComponent('装备报表-2026-第一中队.pdf')}`,
    );
    expect(decodeURIComponent(h.split("UTF-8''")[1]!)).toBe('装备报表-2026-第一中队.pdf');
  });

  it("escapes the characters RFC 5987 does not allow bare: ' ( ) * !", () => {
    expect(contentDisposition("a'b(c)*!.pdf", 'x.pdf')).toContain("filename*=UTF-8''a%27b%28c%29%2A%21.pdf");
  });

  it('the fallback cannot break out of its quotes or carry non-ASCII', () => {
    const h = contentDisposition('x.pdf', 'a"b\\c报.pdf');
    expect(h).toContain('filename="a_b_c_.pdf"');
    expect(h).not.toMatch(/[\r\n]/);
  });
});
