// Validates RDF documents against SHACL shapes with rdf-validate-shacl, and reads every document with the
// RDF/JS parsers of @zazuko/env-node (n3 for Turtle, jsonld for JSON-LD, rdfxml-streaming-parser for RDF/XML).
//
//   node test/dcat/shacl.mjs --shapes a.ttl,b.ttl [--shapes c.ttl] DOC:MEDIATYPE...
//
// Each --shapes list is one shapes graph, validated separately (SEMIC's mandatory and range shapes in one,
// its recommended shapes in another). Prints one JSON object: for each document, its triple count, its triples
// as N-Triples with blank nodes renamed (to compare syntaxes), and for each shapes graph the results grouped
// by severity, shape path and message.
import rdf from '@zazuko/env-node'
import SHACLValidator from 'rdf-validate-shacl'
import { createReadStream } from 'node:fs'

const shapeSets = []
const docs = []
const args = process.argv.slice(2)
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--shapes') shapeSets.push(args[++i].split(','))
  else {
    const at = args[i].lastIndexOf(':')
    docs.push({ path: args[i].slice(0, at), type: args[i].slice(at + 1) })
  }
}

async function load (path, type) {
  const parsed = rdf.formats.parsers.import(type, createReadStream(path), { baseIRI: 'http://patrimap.invalid/' })
  if (!parsed) throw new Error(`no parser for ${type}`)
  return rdf.dataset().import(parsed)
}

const short = (t) => t ? t.value.replace('http://www.w3.org/ns/shacl#', 'sh:') : ''

const out = { documents: [] }
const shapeGraphs = []
for (const set of shapeSets) {
  const g = rdf.dataset()
  for (const p of set) g.addAll(await load(p, 'text/turtle'))
  shapeGraphs.push({ files: set, graph: g })
}
for (const doc of docs) {
  const data = await load(doc.path, doc.type)
  const labels = new Map()
  const term = (t) => {
    if (t.termType === 'BlankNode') {
      if (!labels.has(t.value)) labels.set(t.value, `_:b${labels.size}`)
      return '_:b'
    }
    if (t.termType === 'NamedNode') return `<${t.value}>`
    const lit = JSON.stringify(t.value)
    if (t.language) return `${lit}@${t.language}`
    if (t.datatype && t.datatype.value !== 'http://www.w3.org/2001/XMLSchema#string') return `${lit}^^<${t.datatype.value}>`
    return lit
  }
  const triples = [...data].map((q) => `${term(q.subject)} ${term(q.predicate)} ${term(q.object)} .`).sort()
  const entry = { path: doc.path, type: doc.type, triples: triples.length, blankNodes: labels.size, ntriples: triples, validations: [] }
  for (const sg of shapeGraphs) {
    // The shapes' owl:imports name the EU code lists online: this test runs offline, and the catalogue states
    // the code-list memberships (skos:inScheme) the shapes check, so nothing is imported. The skipped imports
    // are listed in the output.
    const skipped = []
    const validator = new SHACLValidator(sg.graph, { factory: rdf, importGraph: (url) => { skipped.push(url.value); return rdf.dataset() } })
    const report = await validator.validate(data)
    const groups = new Map()
    for (const r of report.results) {
      const key = [short(r.severity), short(r.sourceConstraintComponent), short(r.path), r.message.map((m) => m.value).join(' ')].join(' | ')
      const g = groups.get(key) || { severity: short(r.severity), component: short(r.sourceConstraintComponent), path: short(r.path), message: r.message.map((m) => m.value).join(' '), count: 0, focus: [] }
      g.count++
      if (g.focus.length < 3) g.focus.push(r.focusNode.termType === 'BlankNode' ? '_:blank' : r.focusNode.value)
      groups.set(key, g)
    }
    entry.validations.push({ shapes: sg.files.map((f) => f.split('/').pop()), conforms: report.conforms, importsNotLoaded: skipped, results: [...groups.values()] })
  }
  out.documents.push(entry)
}
process.stdout.write(JSON.stringify(out))
