// Reads data packages with Frictionless' JavaScript libraries (datapackage, tableschema) as a reuser would:
// the descriptor is checked against the Tabular Data Package profile, each resource's file against its bytes
// and hash, its schema against the Table Schema profile, then every row is cast to the schema's types and
// checked against its constraints (required, unique, pattern, enum...).
//
//   node test/dcat/datapackage.mjs PACKAGE.zip...
//
// Prints one JSON object: for each package, whether it is valid, its errors, and per resource the rows read.
import datapackage from 'datapackage'
import tableschema from 'tableschema'
import { createHash } from 'node:crypto'

const { Package } = datapackage
const out = []
for (const path of process.argv.slice(2)) {
  const entry = { path, valid: false, errors: [], resources: [] }
  try {
    const dp = await Package.load(path, { strict: false })
    entry.profile = dp.descriptor.profile
    entry.valid = dp.valid
    entry.errors.push(...dp.errors.map((e) => `descriptor: ${e.message}`))
    for (const resource of dp.resources) {
      const r = { name: resource.name, rows: 0, fields: [] }
      const table = await resource.table
      const schemaCheck = await tableschema.validate(table.schema.descriptor)
      if (!schemaCheck.valid) entry.errors.push(...schemaCheck.errors.map((e) => `schema of ${resource.name}: ${e.message}`))
      // The file's size and SHA-256 are those the descriptor states.
      const raw = await resource.rawRead()
      const sum = 'sha256:' + createHash('sha256').update(raw).digest('hex')
      if (raw.length !== resource.descriptor.bytes) entry.errors.push(`${resource.name}: ${raw.length} bytes, the descriptor says ${resource.descriptor.bytes}`)
      if (sum !== resource.descriptor.hash) entry.errors.push(`${resource.name}: hash ${sum}, the descriptor says ${resource.descriptor.hash}`)
      r.bytes = raw.length
      r.fields = table.schema.fieldNames
      r.primaryKey = table.schema.primaryKey
      try {
        const rows = await table.read({ cast: true, relations: false })
        r.rows = rows.length
      } catch (e) {
        const errs = e.multiple ? e.errors : [e]
        entry.errors.push(...errs.slice(0, 20).map((x) => `rows of ${resource.name}: ${x.message}${x.rowNumber ? ` (row ${x.rowNumber})` : ''}`))
      }
      entry.resources.push(r)
    }
  } catch (e) {
    entry.errors.push(`load: ${e.message}`)
  }
  entry.valid = entry.valid && entry.errors.length === 0
  out.push(entry)
}
process.stdout.write(JSON.stringify(out))
