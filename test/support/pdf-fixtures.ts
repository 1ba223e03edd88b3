/**
 * Small, valid one-page PDFs with distinct text (correct xref offsets, so PDF.js renders them without
 * repair). Bytes are deterministic for a given text. `padTo` makes it about that many bytes, with an unused
 * stream object (as a scan's image would be), for files large enough to be encrypted on several threads.
 */
export function makePdf(text: string, options: { padTo?: number } = {}): Buffer {
  const escaped = text.replace(/[\\()]/g, (char) => `\\${char}`);
  const stream = `BT /F1 24 Tf 72 720 Td (${escaped}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    `<< /Length ${Buffer.byteLength(stream, "latin1")} >>\nstream\n${stream}\nendstream`,
  ];
  if (options.padTo) {
    const filler = Array.from({ length: options.padTo }, (_, i) => String.fromCharCode(0x21 + ((i * 7919) % 90))).join("");
    objects.push(`<< /Length ${filler.length} >>\nstream\n${filler}\nendstream`);
  }
  let body = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body, "latin1"));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefOffset = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/** Not a PDF, whatever its name will say. */
export const NOT_A_PDF = Buffer.from("GIF89a this is an image pretending to be a PDF\n", "latin1");
