"use client";

import { useEffect, useRef, useState } from "react";

/**
 * Renders a PDF inline with PDF.js, one canvas per page (works in every browser, headless included,
 * unlike a blob URL in an iframe). The bytes are copied: PDF.js transfers the buffer it is given.
 */
export function PdfViewer({ bytes, title }: { bytes: Uint8Array; title: string }) {
  const container = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ status: "loading" } | { status: "ready"; pages: number } | { status: "error"; message: string }>({ status: "loading" });

  useEffect(() => {
    let cancelled = false;
    let destroy: (() => Promise<void>) | undefined;
    const host = container.current;
    (async () => {
      const pdfjs = await import("pdfjs-dist");
      if (!pdfjs.GlobalWorkerOptions.workerSrc) {
        pdfjs.GlobalWorkerOptions.workerSrc = new URL("pdfjs-dist/build/pdf.worker.min.mjs", import.meta.url).toString();
      }
      const task = pdfjs.getDocument({ data: bytes.slice(), isEvalSupported: false });
      destroy = () => task.destroy();
      const pdf = await task.promise;
      for (let number = 1; number <= pdf.numPages && !cancelled; number++) {
        const page = await pdf.getPage(number);
        const viewport = page.getViewport({ scale: 1.5 });
        const canvas = document.createElement("canvas");
        canvas.width = Math.floor(viewport.width);
        canvas.height = Math.floor(viewport.height);
        canvas.className = "mx-auto block h-auto max-w-full border border-slate-200 bg-white shadow-sm";
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", `${title}, page ${number} of ${pdf.numPages}`);
        canvas.dataset.page = String(number);
        host?.append(canvas);
        await page.render({ canvas, viewport }).promise;
      }
      if (!cancelled) setState({ status: "ready", pages: pdf.numPages });
    })().catch((error: unknown) => {
      if (!cancelled) setState({ status: "error", message: error instanceof Error ? error.message : "The PDF could not be displayed." });
    });
    return () => {
      cancelled = true;
      host?.replaceChildren();
      void destroy?.();
    };
  }, [bytes, title]);

  return (
    <div className="space-y-2">
      <p aria-live="polite" className="text-sm text-slate-600" data-testid="pdf-status" data-status={state.status}>
        {state.status === "loading" ? "Rendering the PDF…" : state.status === "ready" ? `${state.pages} page${state.pages === 1 ? "" : "s"}` : `The PDF could not be displayed: ${state.message}. Use Download to open it in another program.`}
      </p>
      <div ref={container} className="space-y-4 rounded-md bg-slate-100 p-4" data-testid="pdf-pages" />
    </div>
  );
}
