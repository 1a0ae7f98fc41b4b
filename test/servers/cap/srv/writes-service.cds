// What the write tests (test/writes-cap.test.ts) add to CatalogService.
using { traverse.test as db } from '../db/writes';

extend service CatalogService with {
  entity Photos as projection on db.Photos;

  @odata.singleton
  entity Settings as projection on db.Settings;
}
