const cds = require('@sap/cds')

// Handlers for the actions and functions declared in catalog-service.cds.
module.exports = class CatalogService extends cds.ApplicationService {
  init() {
    const { Books } = this.entities

    const takeStock = async (ID, quantity, req) => {
      if (!Number.isInteger(quantity) || quantity < 1) return req.error(400, 'quantity must be a positive integer', 'quantity')
      const book = await SELECT.one.from(Books, ID).columns('stock')
      if (!book) return req.error(404, `Book ${ID} does not exist`)
      if (book.stock < quantity) return req.error(409, `Only ${book.stock} left of book ${ID}`)
      await UPDATE(Books, ID).with({ stock: { '-=': quantity } })
      return { stock: book.stock - quantity }
    }

    this.on('order', Books, (req) => takeStock(req.params[0].ID ?? req.params[0], req.data.quantity, req))
    this.on('submitOrder', (req) => takeStock(req.data.book, req.data.quantity, req))

    this.on('discountedPrice', Books, async (req) => {
      const key = req.params[0].ID ?? req.params[0]
      const book = await SELECT.one.from(Books, key).columns('price')
      if (!book) return req.error(404, `Book ${key} does not exist`)
      return Math.round(Number(book.price) * (100 - req.data.percent)) / 100
    })

    this.on('countBooks', async (req) => {
      const row = await SELECT.one.from(Books).columns('count(1) as n').where({ stock: { '>=': req.data.minStock ?? 0 } })
      return row.n
    })

    // Operations added for test/operations-cap.test.ts.
    this.on('lowStock', Books, async (req) => SELECT.from(Books).where({ stock: { '<': req.data.below } }).orderBy('ID'))
    this.on('topStocked', Books, async (req) => SELECT.from(Books).orderBy('stock desc', 'ID').limit(req.data.n))
    this.on('touch', Books, () => {})
    this.on('echo', (req) => req.data.text)
    this.on('upper', (req) => (req.data.texts ?? []).map((text) => text.toUpperCase()))
    this.on('bookById', (req) => SELECT.one.from(Books, req.data.id))
    this.on('stockOf', async (req) => {
      const book = await SELECT.one.from(Books, req.data.id).columns('ID', 'title', 'stock')
      return book ?? req.error(404, `Book ${req.data.id} does not exist`)
    })
    this.on('booksWithStock', (req) => SELECT.from(Books).where({ stock: { '>=': req.data.minStock } }).orderBy('ID'))
    this.on('describeArgs', (req) => JSON.stringify(req.data))
    this.on('ping', () => {})
    this.on('reserve', (req) => req.data.books.map((book) => ({ book, ok: book % 2 === 1 })))

    // For test/sap-messages-cap.test.ts: a read of Books asked with `x-test-sap-messages` gets a
    // success, an info and a warning message, which CAP sends in the `sap-messages` header (and the
    // v2 adapter in `sap-message`). Nothing changes without the header, $metadata included.
    this.after('READ', Books, (_, req) => {
      if (!req.headers['x-test-sap-messages']) return
      req.notify({ code: 'BOOK_READ', message: 'Book read' })
      req.info({ code: 'STOCK_COUNTED', message: 'Stock counted today', target: 'stock' })
      req.warn({ code: 'PRICE_OLD', message: 'Price is from last year', target: 'price' })
    })

    return super.init()
  }
}
