// Copies the built files of the npm front-end libraries into shequ/static/vendor (served by Django/whitenoise).
// Run by `npm run build` after `npm ci`; the list is explicit so that nothing unexpected ships.
import { cpSync, mkdirSync, existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "shequ", "static", "vendor");
const files = {
  "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
  "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
  "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
  "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
  "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
  "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
  "leaflet/dist/images": "leaflet/images",
  // axe-core is used by the browser tests only (accessibility audit), never loaded by our pages.
  "axe-core/axe.min.js": "axe/axe.min.js",
};

rmSync(out, { recursive: true, force: true });
for (const [src, dst] of Object.entries(files)) {
  const from = join(root, "node_modules", src);
  if (!existsSync(from)) {
    console.error(`missing ${from}: run npm ci first`);
    process.exit(1);
  }
  const to = join(out, dst);
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
}
console.log(`copied ${Object.keys(files).length} front-end assets into ${out}`);
