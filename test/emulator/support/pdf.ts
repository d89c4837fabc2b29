/** Reads a PDF's text with a real reader (Mozilla's PDF.js), so a broken file fails the test. */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export async function pdfText(bytes: Buffer): Promise<{ pages: number; text: string }> {
  const doc = await getDocument({
    data: new Uint8Array(bytes),
    useSystemFonts: false,
    verbosity: 0,
    stopAtErrors: true,
  }).promise;
  const parts: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    parts.push(content.items.map((it: any) => it.str ?? '').join('\n'));
  }
  await doc.destroy();
  return { pages: doc.numPages, text: parts.join('\n') };
}
