// Start-up hooks for the test server. `cds serve` (bin/serve.js) finds this file in the project
// folder and loads it before bootstrapping, so the handlers below are in place when CAP emits its
// life-cycle events. Nothing is exported: the standard cds.server does the rest.
const cds = require('@sap/cds')
const cov2ap = require('@cap-js-community/odata-v2-adapter')

const HOST = '127.0.0.1'
const READINGS = Number(process.env.CAP_READINGS || 100_000)

// cds.server reports its URL as http://localhost:<port>, and the v2 adapter proxies its requests
// to exactly that URL. The server only listens on 127.0.0.1, and "localhost" may resolve to ::1
// first, so the URL is corrected before any other 'listening' handler (the adapter's) sees it.
cds.on('listening', (info) => {
  info.url = `http://${HOST}:${info.server.address().port}`
})

cds.on('bootstrap', (app) => {
  // CAP listens on all interfaces by default; a test server has no business outside loopback.
  const listen = app.listen.bind(app)
  app.listen = (port, ...rest) => listen(port, HOST, ...rest)
  // A database per test file (see below). Mounted before the v2 adapter, so that a v2 request
  // under /db/<name>/ is translated to a v4 request on the same database.
  app.delete(DATABASE_ROOT, dropDatabase)
  app.use(routeToDatabase)
  // OData v2 at /odata/v2/catalog, translated to the v4 service by the adapter. Mounted here
  // rather than as an auto-loaded plugin (the project package.json has no dependencies).
  app.use(cov2ap())
})

// One server, many databases, so that one server can serve a whole test run while every test
// file gets data of its own. A request under /db/<name>/ is answered from the in-memory database
// <name>, which is created with the seed data (the CSV files and the Readings) on its first
// request; `DELETE /db/<name>` drops it. Requests outside /db/ use the default database.
//
// How: CAP keeps one connection pool per tenant, and a pool of the in-memory SQLite database
// holds one connection, which is one database. So <name> becomes the request's tenant. The prefix
// is taken off before CAP routes the request and travels on in a header, which the v2 adapter
// passes on to the v4 request it makes; the adapter builds its absolute URIs (__metadata.uri,
// __next) from x-forwarded-path, so they keep the prefix.
const DATABASE_NAME = '([A-Za-z0-9_-]{1,64})'
const DATABASE_PREFIX = new RegExp(`^/db/${DATABASE_NAME}(?=/)`)
const DATABASE_ROOT = new RegExp(`^/db/${DATABASE_NAME}/?$`)
const DATABASE_HEADER = 'x-traverse-database'
const databases = new Map()

// The model as loaded from the .cds files, which is what `cds serve --in-memory` deploys to the
// default database (cds.model is its compiled form, which cannot be deployed a second time).
let sourceModel
cds.once('loaded', (csn) => {
  sourceModel = csn
})

cds.on('connect', (service) => {
  // Pools per tenant. Set on the service rather than in package.json, where it would also turn
  // on CAP's multitenancy, which deploys no in-memory database at start-up.
  if (service.name === 'db') service.options.multiTenant = true
})

async function routeToDatabase(req, res, next) {
  const prefix = DATABASE_PREFIX.exec(req.url)
  if (prefix) {
    req.headers[DATABASE_HEADER] = prefix[1]
    req.headers['x-forwarded-path'] = req.url
    req.url = req.url.slice(prefix[0].length)
  }
  const name = req.headers[DATABASE_HEADER]
  if (name === undefined) return next()
  if (typeof name !== 'string' || !new RegExp(`^${DATABASE_NAME}$`).test(name)) return res.status(400).send(`bad ${DATABASE_HEADER}`)
  req.tenant = name
  try {
    await database(name)
    next()
  } catch (error) {
    next(error)
  }
}

function database(name) {
  let created = databases.get(name)
  if (!created) {
    const started = performance.now()
    created = cds.tx({ tenant: name }, async () => {
      await cds.deploy(sourceModel).to(cds.db, { silent: true })
      await addReadings()
    })
    created.then(() => timing(`database ${name} in ${(performance.now() - started).toFixed(0)} ms`), () => {})
    databases.set(name, created)
  }
  return created
}

async function dropDatabase(req, res, next) {
  const name = DATABASE_ROOT.exec(req.url)[1]
  const created = databases.get(name)
  databases.delete(name)
  try {
    if (created) await created.catch(() => {})
    await cds.db.disconnect(name)
    res.sendStatus(204)
  } catch (error) {
    next(error)
  }
}

cds.on('served', async () => {
  const started = performance.now()
  await addReadings()
  timing(`${READINGS} readings in ${(performance.now() - started).toFixed(0)} ms`)
})

// The big entity set is generated inside SQLite by one recursive INSERT ... SELECT: no rows
// travel through JavaScript, which keeps this to a fraction of a second for 100k rows.
async function addReadings() {
  const table = cds.model.definitions['traverse.test.Readings'].name.replace(/\./g, '_')
  await cds.db.run(`
    INSERT INTO ${table} (ID, sensor, value, ok)
    WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${READINGS})
    SELECT n, 'S' || (n % 7), (n % 1000) / 10.0, n % 3 <> 0 FROM seq`)
}

function timing(text) {
  if (process.env.CAP_TIMING) console.log(`[traverse] ${text}`)
}

// When started by the test helper, stdin is a pipe from the test process. It closes when that
// process ends in any way (even SIGKILL, which runs no exit handlers), and the server follows.
if (process.env.TRAVERSE_CAP_EXIT_WITH_STDIN) {
  process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume()
}

// One line on stdout that the test helper (test/servers/cap.ts) waits for and reads the port from.
cds.once('listening', ({ server }) => {
  console.log(`[traverse] CAP listening on http://${HOST}:${server.address().port}`)
})
