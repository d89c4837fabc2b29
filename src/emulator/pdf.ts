/**
 * A small, valid PDF 1.4 document of text lines (one page, Helvetica): header, numbered objects,
 * a cross-reference table with the byte offset of each object, trailer and `startxref`, so any
 * reader opens it. Text is kept to printable ASCII (the standard font's safe range).
 */

const PAGE = { width: 612, height: 792, margin: 56, leading: 16 };
/** A page holds this many lines; more are cut with a note (quotes are short). */
const MAX_LINES = Math.floor((PAGE.height - 2 * PAGE.margin) / PAGE.leading);

function pdfText(s: string): string {
  const ascii = s.replace(/[^\x20-\x7e]/g, '?');
  return `(${ascii.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

export function textPdf(title: string, lines: string[]): Buffer {
  const shown = lines.length > MAX_LINES - 2 ? [...lines.slice(0, MAX_LINES - 3), '...'] : lines;
  const ops = [
    'BT',
    `/F1 16 Tf ${PAGE.margin} ${PAGE.height - PAGE.margin} Td ${pdfText(title)} Tj`,
    `/F1 11 Tf 0 -${PAGE.leading * 2} Td`,
    ...shown.map((l, i) => `${i ? `0 -${PAGE.leading} Td ` : ''}${pdfText(l)} Tj`),
    'ET',
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(ops, 'latin1')} >>\nstream\n${ops}\nendstream`,
    `<< /Title ${pdfText(title)} /Producer (stripe-connector emulator) >>`,
  ];
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** 1234 usd → "USD 12.34" (zero-decimal currencies as whole units). */
export function money(amount: number, currency: string | null | undefined): string {
  const cur = (currency ?? '').toUpperCase();
  const zeroDecimal = /^(BIF|CLP|DJF|GNF|JPY|KMF|KRW|MGA|PYG|RWF|UGX|VND|VUV|XAF|XOF|XPF)$/.test(cur);
  return `${cur} ${zeroDecimal ? String(amount) : (amount / 100).toFixed(2)}`.trim();
}
