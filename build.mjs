// Bundles Tessera's front-end with esbuild.
//
//   node build.mjs            one build (what `npm run build` runs)
//   node build.mjs --watch    rebuild on change
//
// Outputs (all git-ignored):
//   dashboard/web/dist/   shell.js (+ golden-layout), shell.css (+ golden-layout CSS), index.html, favicon.svg,
//                         view.js + view-casual-view.js + view.html (the casual view: no editor code)
//   dashboard/web/dist/kit/v1/   the widget kit: kit.js holds all of it but the time series, which
//                                stays apart and imports the rest from kit.js (and uPlot, uplot.js,
//                                when it first draws); every
//                                other source file keeps its own URL as a facade re-exporting its
//                                names from kit.js, so a widget importing /kit/v1/table.js loads
//                                two modules instead of a chain, and each kit module (the data
//                                client above all) is one instance whichever URL a widget imports;
//                                plus the .d.ts files; served at /kit/v1/
//   widgets/<name>/dist/<name>.js   each built-in widget: an ES module importing the kit from
//                                   /kit/v1/kit.js (and /kit/v1/time-series.js for a chart)

import * as esbuild from "esbuild";
import { copyFile, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const watch = process.argv.includes("--watch");
const shellDist = join(root, "dashboard/web/dist");
const kitSource = join(root, "dashboard/web/kit/v1");
const kitDist = join(shellDist, "kit/v1");
const kitFiles = await readdir(kitSource);

const kitSources = kitFiles.filter((name) => name.endsWith(".js"));
// Modules kept apart from kit.js: the time series, uPlot (uplot.js, which the time series
// imports when it first draws: a widget without a chart never downloads it, and a chart's
// first query does not wait for it) and index.js (which re-exports them).
const KIT_APART = /^(time-series(-element)?|uplot|index)\.js$/;
const kitCore = kitSources.filter((name) => !KIT_APART.test(name));
export const KIT_FACADE = "// kit facade:";

// A kit module kept apart imports the rest of the kit from kit.js.
const kitImportsCore = {
  name: "kit-imports-core",
  setup(build) {
    build.onResolve({ filter: /^\.\/[a-z0-9-]+\.js$/ }, (args) =>
      args.importer.startsWith(kitSource)
        ? { path: KIT_APART.test(args.path.slice(2)) ? args.path : "./kit.js", external: true } : undefined);
  },
};

// The built-in widgets import the kit's core as one module, /kit/v1/kit.js, whichever file they name.
const widgetKitImports = {
  name: "widget-kit-imports",
  setup(build) {
    build.onResolve({ filter: /^\/kit\/v1\/[a-z0-9-]+\.js$/ }, (args) =>
      ({ path: KIT_APART.test(args.path.slice(8)) ? args.path : "/kit/v1/kit.js", external: true }));
  },
};

// Each core source file keeps its URL as a module re-exporting that file's names from kit.js
// (the names come from esbuild's own analysis of the file).
async function writeKitFacades() {
  const { metafile } = await esbuild.build({
    entryPoints: kitCore.map((name) => join(kitSource, name)), outdir: kitDist, bundle: true, format: "esm",
    write: false, metafile: true, logLevel: "silent",
  });
  for (const { entryPoint, exports } of Object.values(metafile.outputs)) {
    if (!entryPoint) continue;
    const name = entryPoint.split("/").pop();
    const body = exports.length ? `export { ${[...exports].sort().join(", ")} } from "./kit.js";\n` : `import "./kit.js";\n`;
    await writeFile(join(kitDist, name), `${KIT_FACADE} /kit/v1/${name}'s names from the kit's one module (build.mjs)\n${body}`);
    await rm(join(kitDist, `${name}.map`), { force: true }); // a map left by an earlier build
  }
}

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
    stdin: { contents: kitCore.map((name) => `export * from "./${name}";`).join("\n"), resolveDir: kitSource,
      sourcefile: "kit.js" },
    outfile: join(kitDist, "kit.js"),
  },
  {
    ...common,
    entryPoints: kitSources.filter((name) => KIT_APART.test(name)).map((name) => join(kitSource, name)),
    outdir: kitDist,
    loader: { ".css": "text" },
    plugins: [kitImportsCore],
  },
  // the built-in widgets, each bundled on its own as a team would (the kit stays a runtime import)
  ...["page-views", "top-pages", "top-referrers", "kpis", "devices", "campaigns", "live-feed", "mesh-health"].map((name) => ({
    ...common,
    entryPoints: { [name]: join(root, `widgets/${name}/src/${name}.js`) },
    outdir: join(root, `widgets/${name}/dist`),
    plugins: [widgetKitImports],
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
await writeKitFacades();
if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
