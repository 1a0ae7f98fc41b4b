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
  // OData v2 at /odata/v2/catalog, translated to the v4 service by the adapter. Mounted here
  // rather than as an auto-loaded plugin (the project package.json has no dependencies).
  app.use(cov2ap())
})

cds.on('served', async () => {
  // The big entity set is generated inside SQLite by one recursive INSERT ... SELECT: no rows
  // travel through JavaScript, which keeps start-up to a fraction of a second for 100k rows.
  const started = performance.now()
  const table = cds.model.definitions['traverse.test.Readings'].name.replace(/\./g, '_')
  await cds.db.run(`
    INSERT INTO ${table} (ID, sensor, value, ok)
    WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${READINGS})
    SELECT n, 'S' || (n % 7), (n % 1000) / 10.0, n % 3 <> 0 FROM seq`)
  process.env.CAP_TIMING && console.log(`[traverse] ${READINGS} readings in ${(performance.now() - started).toFixed(0)} ms`)
})

// When started by the test helper, stdin is a pipe from the test process. It closes when that
// process ends in any way (even SIGKILL, which runs no exit handlers), and the server follows.
if (process.env.TRAVERSE_CAP_EXIT_WITH_STDIN) {
  process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume()
}

// One line on stdout that the test helper (test/servers/cap.ts) waits for and reads the port from.
cds.once('listening', ({ server }) => {
  console.log(`[traverse] CAP listening on http://${HOST}:${server.address().port}`)
})
