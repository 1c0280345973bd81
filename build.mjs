// Bundles Tessera's front-end with esbuild.
//
//   node build.mjs            one build (what `npm run build` runs)
//   node build.mjs --watch    rebuild on change
//
// Outputs (all git-ignored):
//   dashboard/web/dist/   shell.js (+ golden-layout), shell.css (+ golden-layout CSS), index.html, favicon.svg,
//                         view.js + view-casual-view.js + view.html (the casual view: no editor code)
//   dashboard/web/dist/kit/v1/   the widget kit, one module per source file (uPlot inlined into
//                                the time series), plus its .d.ts files; served at /kit/v1/
//   widgets/<name>/dist/<name>.js   each built-in widget: an ES module importing the kit from /kit/v1/

import * as esbuild from "esbuild";
import { copyFile, mkdir, readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const watch = process.argv.includes("--watch");
const shellDist = join(root, "dashboard/web/dist");
const kitSource = join(root, "dashboard/web/kit/v1");
const kitDist = join(shellDist, "kit/v1");
const kitFiles = await readdir(kitSource);

// The kit keeps one served module per source file: its relative imports stay imports
// (so /kit/v1/data-client.js is one module instance for every widget); packages are inlined.
const kitModules = {
  name: "kit-modules",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) =>
      args.importer.startsWith(kitSource) ? { path: args.path, external: true } : undefined);
  },
};

const common = {
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: !watch,
  sourcemap: true,
  legalComments: "linked",
  logLevel: "info",
};

const builds = [
  {
    ...common,
    entryPoints: { shell: join(root, "dashboard/web/src/main.js") },
    outdir: shellDist,
  },
  {
    // split: view.js stays small and asks for the layout while casual-view.js (golden-layout,
    // the widget frame) downloads and parses in parallel (view.html preloads it)
    ...common,
    entryPoints: { view: join(root, "dashboard/web/src/view.js") },
    outdir: shellDist,
    splitting: true,
    chunkNames: "view-[name]",
  },
  {
    ...common,
    entryPoints: { shell: join(root, "dashboard/web/src/styles/shell.css") },
    outdir: shellDist,
    loader: { ".png": "dataurl", ".svg": "dataurl" },
  },
  {
    ...common,
    entryPoints: kitFiles.filter((name) => name.endsWith(".js")).map((name) => join(kitSource, name)),
    outdir: kitDist,
    loader: { ".css": "text" },
    plugins: [kitModules],
  },
  // the built-in widgets, each bundled on its own as a team would (the kit stays a runtime import)
  ...["page-views", "top-pages", "top-referrers", "kpis", "devices", "campaigns", "live-feed", "mesh-health"].map((name) => ({
    ...common,
    entryPoints: { [name]: join(root, `widgets/${name}/src/${name}.js`) },
    outdir: join(root, `widgets/${name}/dist`),
    external: ["/kit/v1/*"],
  })),
];

async function copyStatic() {
  await mkdir(shellDist, { recursive: true });
  for (const name of ["index.html", "view.html", "favicon.svg"]) {
    await copyFile(join(root, "dashboard/web", name), join(shellDist, name));
  }
  await mkdir(kitDist, { recursive: true });
  for (const name of kitFiles.filter((file) => file.endsWith(".d.ts"))) {
    await copyFile(join(kitSource, name), join(kitDist, name));
  }
}

await copyStatic();
if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
