// Entities for the write tests (test/writes-cap.test.ts): a media entity and a singleton. Kept
// apart from schema.cds so the rows other tests rely on stay as they are.
namespace traverse.test;

// A media entity: its content is the entity's media resource (`Photos(1)/$value`) and a stream
// property (`Photos(1)/content`), typed by `mediaType`.
entity Photos {
  key ID        : Integer;
      title     : String(100);
      @Core.MediaType: mediaType
      content   : LargeBinary;
      @Core.IsMediaType
      mediaType : String(100);
}

// A singleton: one row, addressed by its name alone (`Settings`).
entity Settings {
  key ID    : Integer;
      theme : String(20);
      pageSize : Integer;
}
