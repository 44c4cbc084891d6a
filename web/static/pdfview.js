/* chithi: an arrived PDF drawn inside the page with pdf.js (vendored from npm), page by page, so it
   reads the same in every browser. `.pdf-view[data-src]` holds the file's URL. */
import * as pdfjs from "./vendor/pdfjs/pdf.min.mjs";

pdfjs.GlobalWorkerOptions.workerSrc = new URL("./vendor/pdfjs/pdf.worker.min.mjs", import.meta.url).href;
const MAX_PAGES = 30;  // a directive is a few pages; a long annex is opened with "Tải về"

async function show(box) {
  const status = box.querySelector(".pdf-status");
  try {
    const pdf = await pdfjs.getDocument({
      url: box.dataset.src, isEvalSupported: false, withCredentials: true,
      standardFontDataUrl: new URL("./vendor/pdfjs/standard_fonts/", import.meta.url).href,
    }).promise;
    const width = Math.max(box.clientWidth - 24, 320);
    for (let n = 1; n <= Math.min(pdf.numPages, MAX_PAGES); n++) {
      const page = await pdf.getPage(n);
      const base = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({ scale: width / base.width });
      const canvas = document.createElement("canvas");
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.className = "pdf-page";
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `Trang ${n}/${pdf.numPages}`);
      box.appendChild(canvas);
      await page.render({ canvasContext: canvas.getContext("2d"), viewport,
                          transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null }).promise;
    }
    status.textContent = pdf.numPages > MAX_PAGES
      ? `Hiện ${MAX_PAGES}/${pdf.numPages} trang; tải về để đọc hết.` : `${pdf.numPages} trang`;
    box.dataset.pages = String(pdf.numPages);
  } catch (error) {
    status.textContent = "Không mở được tệp PDF trong trang; hãy bấm «Tải về» để đọc.";
    box.dataset.failed = "true";
  }
}

// A PDF inside a closed <details> is fetched only when it is opened: nothing is loaded for nothing.
function whenShown(box) {
  const details = box.closest("details");
  if (!details || details.open) { show(box); return; }
  details.addEventListener("toggle", () => { if (details.open && !box.dataset.pages) { show(box); } },
                           { once: true });
}

document.querySelectorAll(".pdf-view[data-src]").forEach(whenShown);
