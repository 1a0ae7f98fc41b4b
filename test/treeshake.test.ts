// What a program that uses the library bundles to (test/bundle-size.ts bundles the programs of
// test/bundle/ with esbuild, code splitting on): the budgets of what a read-only program loads at
// start, through ODataClient and through ODataReader (traverse-odata/read), the modules that must
// stay out of that start (each loads with import() when its feature is first used), the modules
// a reader's program never reaches at all, and the README's table of the figures. esbuild's output is the same for the same
// sources and the same esbuild version, so the sizes are exact; a change of esbuild may move them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, test } from "node:test";
import { bundleProgram, kilobytes, measureScenario, SCENARIOS, sizeTable, sourcePath, WALK_MODULES, type ScenarioSize } from "./bundle-size.js";

/**
 * What a read-only program (test/bundle/read-only.ts) may load at start, gzipped (each chunk on its
 * own, summed), in bytes. It is what the client's synchronous surface and the walk itself cost (see
 * the README's "Bundle size"); a change that adds to it has to raise this number in review. Raised
 * from 37,300 for a signal of its own for every page of a walk (58 bytes), and for one listener on a
 * caller's signal however many requests wait on it (util/abort-waiters.ts at start, 110 bytes);
 * from 37,500 for `ODataReader` under `ODataClient` and the query classes split in two (176 bytes).
 * Lowered to 37,000 when the auth step and the marks of expanded values came to load on first use;
 * raised to 37,300 for the check that `partition(p)` runs on a query with `$top`, `$skip` or
 * `$apply` (it refuses them as `partitions(n)` does, so the check is at start) and for
 * util/load-once.ts, the one memo of the modules loaded on first use (a chunk of its own);
 * raised by 345 bytes for the next page requested while a page is parsed (`trailingNextLink` and
 * the walk's early GET), and lowered by 230 when the following of redirects came to load with the
 * first redirect (http/redirects.ts): 37,400; raised to 37,500 for the `maxWait` a poller's token
 * keeps and `resumeAsync` checks (resume.ts is at start: it answers synchronously); to 37,600 for
 * `updateAsync`, `replaceAsync` and `deleteAsync` on the entity query; to 37,700 for a page's
 * `BAD_PAYLOAD` that names the page's request (63 bytes, in the walk); to 37,900 for the option
 * checks test/wrong-options-everywhere.test.ts asked for (`count(enabled)`, `f.substring`'s
 * numbers, `from: ""`, `batch()`'s `boundaries` and `bound`, a request's headers, a link's target;
 * 276 bytes); to 38,200 for the secrets a client sends, kept with its failed answers so that their
 * errors mask them when a service echoes them bare (`SentSecrets`, 249 bytes); to 38,300 for the
 * HTML page refused as the result of an `invokeAsync`/`getAsync` poller, which `resumeAsync` makes
 * at start (147 bytes), a `Headers` instance refused as the client's `headers`, and the secrets
 * kept with every answer, for a monitor's and a `$batch` part's failures (56 bytes together); to
 * 38,400 for the result's `Content-Type` those pollers go by (`resultTypeOf`, 70 bytes), where the
 * start of the text was a guess that let XHTML pass and refused HTML-looking `text/plain`; to
 * 38,500 for helpers shared with code loaded later (`succeededPhase`, `isHtmlContentType`, in
 * modules the start holds) and `batch.request()` keeping headers as given for the one checker
 * (79 bytes together); to 38,600 for the secret headers every request carries (a write's own
 * `x-api-key`, a key a custom step adds), kept like `Authorization` values (112 bytes), and an
 * HTML page answering a read, said as such (57 bytes); to 38,700 for the result's `Content-Type`
 * kept in a poller's token, so that a resumed poller reads its result by type (38 bytes); to 38,800
 * for an operation answered 202 refused, naming its monitor, where it resolved undefined as if done
 * (ASYNC_OPERATION_PENDING, ASYNC_NO_LOCATION), and a page's label kept to bodies that did not
 * parse (together with review fixes, 80 bytes); to 38,900 for a body that is not JSON echoing a
 * secret, which the JSON parser's message quotes in part, masked in the BAD_PAYLOAD of a read, a
 * page, a walk and a write (`readMasked`, http/body.ts; 156 bytes); to 39,000 for operations bound
 * to a navigation addressed below the entity it navigates from (they went to the navigation
 * property's name at the root: 63 bytes) and a function's parameter alias refused as a custom
 * option's name (36 bytes); to 39,100 for whole numbers beyond 2^53 written as their exact digits,
 * `f.in` with an expression among its values written as an `or`, and a literal's error that names
 * the call it came from (`f.eq(value)`, `key(value)`; 94 bytes together); to 39,200 for a walk
 * left while a page is read that ends the body's reading (its stall timer outlived the walk), an
 * empty next link refused, a link a caller gives said to be the caller's, a page delivered before
 * its delta link is found to be no URL, and a plan's probes eight at a time, stopped when one
 * fails (55 bytes together); to 39,300 for an operation bound to a collection query that
 * `filter()`, `search()`, `top()`, `skip()` or `apply()` narrows, refused (it ran on the whole set,
 * the options left out; `checkWholeSet`, 120 bytes); to 39,400 for every header named like a
 * credential dropped where the origin rule drops credentials (a step's x-api-key reached a status
 * monitor on an untrusted origin), and an empty link refused where every link resolves (78 bytes);
 * to 39,800 for a pipeline step that resolves with no Response refused naming the step (94
 * bytes), a single-valued navigation that relates no entity read as null (36), the v2 dates a read
 * converted remembered for the writes that send them back (87), a v4 expand path of navigation
 * properties sent nested, as v4 reads it (101), an OData v3 collection wrapper read as its array
 * (40), a v2 write's poller that reads its entity (54), the dates of a v2 entity kept when an
 * `ETag` header gives it its `__metadata` (24) and a `Retry-After` date read in all three forms
 * (27), less the 43 that the literal writers' one way of naming their caller saved; to 39,900 for
 * the method of an OData v2 service operation declared with PUT, MERGE or DELETE, taken and
 * checked where `client.action()` and `batch()` build their requests (142 bytes); to 40,000 for a
 * configured `Prefer` joined with a request's own preferences (it was dropped), the bodies of a
 * `$count` and of one entity read to a limit (an endless one filled memory) and a next link's
 * fragment dropped (it defeated the loop check), less what the redaction by secret words (a
 * shorter list of names) and the v2 values converted with a work list rather than recursion
 * saved: 97 bytes together; to 40,100 for the timeout of a token request named as the token
 * endpoint's (the timeout step believes a TIMEOUT from a step below it, 19 bytes) and a
 * `batch.request()` to `$metadata` or `$all` taken as a resource, not a Content-ID (4); to 40,200
 * for a stalled body reported as the stall watch's TIMEOUT in every runtime (workerd, 54 bytes at
 * the reader's start), a `$it/...` path inside a lambda left without the lambda variable and the
 * v2 refusal of `$count`, `$it` and `$this` paths in filters and `orderBy` (31), and the review's
 * fixes (a `Prefer` value's quoted commas kept, one list of service operation methods), and a
 * batch continuation's token naming the requests still to come (77 bytes, in lro/token.ts); to
 * 40,300 for the JSON values of `edm.*` values written once, for action parameters and write
 * bodies alike (the write code had a copy that differed), the infinities written as `INF` (6 bytes);
 * to 40,800 for the last note's leftovers and the defects of the stop after: where a v2 write
 * poller's reader converted dates, kept in its token and noted again on resume (`resultDates`; 134
 * bytes, most of it in payload/v2-values.ts, which every client loads), an expression holding 4.01's
 * `in` marked and refused by 4.0 and v2 (81), signed JWTs, AWS key ids and tickets masked as query
 * parameters and paging cursors left visible (71), the client's `headers` refusing `__proto__` and
 * control characters (72), a `batch.page()` part sending the page's `Prefer` (44; the `Batch`
 * builder is at start), an abort that ends a body's stall timer and rejects an error body's
 * reading with its reason (38), every body read whole to a limit (33), a partition naming its whole
 * path (28) and a batch poller's result kept as bytes (`resultBinary`, 28), less what the `$count`
 * URL's shorter option list saved (8): 570 bytes together; and an `etag` option's refusal that says
 * what is wrong with it (27); to 40,850 for a `$this/...` path marked as OData 4.01's and refused
 * by 4.0 and v2 queries, as 4.01's `in` is (33 bytes); to 40,900 for secret query parameters
 * masked when their names are percent-encoded (about 130 bytes at start, redact.ts), a resume
 * token's `resultDates` and `resultBinary` checked (about 75), a query's custom options (`sap-client`)
 * sent with its writes and media, whose `url()` is at start (about 30), less what the shorter
 * readable-escape tables and one chunk fewer saved (about 250); to 41,150 for a foreign cause
 * redacted however deep it quotes a secret (about 250 bytes) and a TIMEOUT that names the token
 * function or request a request waited for (16); down to 41,000 as the reading of `Retry-After`
 * (an HTTP-date's three forms, now strict) loads with the first answer that asks for a pause; to
 * 41,050 for a batch continuation's token that keeps the continuations queued after it and the next
 * links followed (a resumed one lost them; 45 bytes, lro/token.ts), a `request()`'s bytes sent as
 * they are in a batch, a stream or Blob body refused (39, the builder is at start) and the secrets a
 * request sent masked in its NETWORK_ERROR's cause (23); to 41,200 for the names of keys that let
 * their holder in (`x-functions-key`, `Private-Key`, `AccessKey`, `aeg-sas-key`) masked and kept
 * from other origins as `x-api-key` was (about 90 bytes, util/redact.ts), a batch `request()` body
 * refused by its type (FormData, Blob, a stream: 20) and one rule for the infinities in JSON bodies (7);
 * to 41,350 for `expand("*")` refusing nested options other than `$levels` (29 bytes), a `filter()`
 * or `orderBy()` function's text result refused and `f.raw()`'s lone surrogate named (40) and v2's
 * string-matching call compared with a boolean without its `eq true` (32); to 41,400 for `$it` and
 * `$this` alone as the value filtered, and refused as a lambda's collection (39 bytes); to 41,650
 * for Microsoft Graph's rule of monitor paths (below the version root) applied to a path handed to
 * `client.asyncPoller()` (about 250 bytes: the rule moved to util/service-root.ts, at start); to
 * 41,700 for session cookies' values masked after their names in any text (`JSESSIONID=…`, about
 * 35 bytes in util/redact.ts) and the charset reading moved out of the multipart reader for error
 * bodies (payload/charset.ts, a chunk of its own); to 41,760 for your own pipeline steps bounded by
 * `timeout` and the caller's abort while they wait before calling `next` (about 37 bytes,
 * http/steps.ts and http/signals.ts) and a media stream that pulls nothing until read (17); to
 * 41,800 for `first()` reading no further than the first entity where a service ignores `$top`
 * (18) and `await using` of `stream()` (`Symbol.asyncDispose`, 21); to 41,820 for a credential
 * header's value in text masked past a quote inside it (`Cookie: a="…"` showed from the quote on; 24);
 * down to 41,660 as the wire log's import of http/body.ts put body.ts in one chunk with the
 * pipeline (one chunk fewer at start, about 150 bytes); to 41,700 for a `$batch` changeset whose
 * build throws left out whole and a failed send's handles refusing the old results (about 40 bytes
 * in the builder, the rest of it in results.ts and send.ts, loaded with the send); to 41,710 for
 * `untilAborted` leaving no listener on a signal already aborted (a few bytes); to 41,740 for a
 * `$batch` function part asking for the client's `maxPageSize` as the function alone does (25); to
 * 41,880 for options a navigation, a key or a bound call would drop refused where they were dropped
 * (`select()` before `navigate()`, `filter()` before `key()`, `trackChanges()` before an operation:
 * about 30 bytes, one `checkWholeSet`), the resume token keeping where a succeeded operation's result
 * came from (about 25) and the secrets a URL or a token answer shows masked (`;jsessionid=`,
 * `user:password@` without `scheme://`, the OAuth2 client secret: about 80, util/redact.ts); to
 * 41,890 for a set's `select()` and `expand()` carried by `key()` to the entity (a few bytes); to
 * 41,910 for a batch handle's `BATCH_NOT_SENT` saying a send under way has no results yet, where it
 * said the batch had not been sent (19 bytes, the builder is at start); to 42,040 for a nested
 * lambda's `as` refused where it names an enclosing lambda's variable (whose paths it would take
 * over; about 78 bytes) and `param()`'s numbers written as the filter builder writes them, and a
 * system option's name without `$` refused on 4.01 (about 40); to 42,050 for the query methods
 * that load their module awaiting its method's promise (`return await`), which workerd otherwise
 * reported as an unhandled rejection when an argument was refused (8 bytes); to 42,080 for the
 * redaction's `//` read as a scheme-relative URL only where one can start, a percent-escaped
 * secret path parameter masked to its segment's end (14), and `key()`'s refusal giving its own
 * reason (13); to 42,500 for a stop of defects found by hunts (about 420 bytes together): a lambda's
 * builder used after its predicate returned refused (62), secrets in free text with no `?` or `&`
 * before them and `Name = value` masked (62, util/redact.ts), `top(n)` bounding a walk, `first()`
 * past empty pages and a read answered `202` refused with its monitor (92), the reader's option
 * errors naming `ODataReader` (57), a page's other annotations (51), `key()` carrying `compute()`
 * with the entity's own `compute()` (36) and 4.01's system option names without a method refused by
 * `param()` (51); down to 42,490 as a caller's signal came to be followed with one listener, not
 * combined by `AbortSignal.any` (its fallback for older runtimes went: about 13 bytes saved); to
 * 42,560 for `param()` letting `$format`, `$index` and `$schemaversion` go and saying what to do
 * instead of the system options it refuses (67); to 42,600 for a walk under `top(n)` asking for
 * the next page ahead while more is left than any page held (40); to 42,610 for `tempauth`, `sas`,
 * `sig`, `jwt` and `client_assertion` masked in free text (9); down to 42,540 as the option errors
 * came to name their class through a parameter, where the reader rewrote their messages (69 saved);
 * to 42,550 for a Decimal's zeros after its last fraction digit, which change no value, leaving it
 * a JSON number (`12.50` as `12.5`, not the string OData JSON asks only with `IEEE754Compatible`):
 * the literals module, whose URL literals the walk needs, holds it (18); to 42,650 for the hints
 * of a path given where several were meant (`orderBy("Price desc")`, `select("ID,Name")`,
 * `expand("A,B")`: about 130), less what moved to the words of a page that did not read, loaded on
 * failure (an HTML page; about 30 saved), and lazy chunks' names (3); to 42,690 as each call names
 * itself to the path check for its hint, rather than the hint reading the call's label, and the
 * direction is the one written (37); to 42,730 for the stall watch's timer holding the process open
 * only while a read waits, so that a body nobody reads any more holds none (29); to 42,760 for a
 * link the caller gives that is no URL refused as a TypeError, not BAD_PAYLOAD (21), an empty
 * batch's error naming the call (8, the batch builder being at the client's start) and a
 * Decimal's leading zeros (2); to 42,770 for the option errors of a program's own subclass naming
 * the class it extends, and the raw text's advice one constant the command line strips (4, and
 * lazy chunks' names); to 42,820 for two leaks a hostile service could open: the names of more
 * secret headers (`MYSAPSSO2`, `user-key`, `license-key`, `consumer-key`, `developer-key`: 8)
 * and a next or delta link that is no URL quoted masked of the secrets the client sent (46); to 42,830 as those names want a separator
 * (`License-Key`, not a `LicenseKey` property: 17, the regular expression's new form compressing
 * worse); to 43,590 for stop 33's features and fixes at the walk's start: `first()` handing on its
 * first entity as scanned (77), a write applied but unreadable or refused on a retry saying so
 * (the answer's earlier attempts kept: 39, less the CSRF step's own token wait, 2 saved), a read's
 * own `headers` and every call's `timeout` (209, with the checks), `cast()` (75), a letters-only
 * `Basic` value masked (21), v2's expanded collections keeping their next link and count (88, the
 * v2 values module's first use of the annotations reader) and the header checker loaded from its
 * own module where a read's cycle with the entity reader was (288 and one chunk: esbuild splits
 * what the start and that module share), less a few bytes here and there; to 43,600 for a
 * `$batch` action or function part keeping its options, so that a `timeout` or `signal` given to
 * one is refused as a `$batch` write's is (10, the batch builder being at the client's start); to
 * 43,610 for the body reader's failure detail as a function of its own, which a write's broken-off
 * answer calls rather than cutting the reader's message apart (10); to 43,790 for the client option
 * `keyAsSegment`, OData 4.01's key-as-segment convention: its check and `key()`'s segment form, with
 * the predicate kept where a segment would address something else (180); to 44,030 for every call's
 * `onResponse`, told of each answer the call reads before its body is read (its check, the call in
 * the client's `send` and the option passed on by a read: 237 bytes); to 44,280 for stop 34's
 * fixes: a read from a link marking what the link's `$expand` names (34), a second `cast()` refused
 * (73), a `$batch` method given the wrong kind of query refused by name (38), a letters-only `Basic`
 * value told from prose by the printable `user:password` it decodes to (94), the wait on an
 * `onResponse` promise ended by the call's signal (15: the rest loads with the first such call) and
 * the option lists of a write's refusal of options it does not take (22), each measured on the tree
 * before it, less a few bytes where they met (44,275 measured at the end); to 44,430 for stop 35's
 * fixes, each measured on the tree before it: a `$batch` part's builder method recorded once and
 * named one way in its errors (24, the batch builder being at the client's start), an `...Async`
 * write or action answered at once whose body cannot be read saying it was applied (39), a body's
 * chunks read in one place with its cancel not waited for (16), the token wait's timeout told
 * from a caller's abort by a poller (20, less 17 as the applied write's timeout came to be read
 * from its stall watch), the redaction's challenge parameters after `Bearer`/`Basic` kept apart
 * from a token68 (41) and a Latin-1 `Basic` credential masked (36), the command line's one
 * pipeline for the version `$metadata` declares (6, a reader built on a given core), the hint of a
 * write sent but not answered (1: its function loads with the writes), less a few bytes here and
 * there (44,424 measured at the end); to 45,670 for stop 36's, each measured on the tree before it:
 * reads refusing options they do not take and options that are no object, as writes do (403: a
 * list of names for each read, the walks', `delta()`'s, `partitions(n)`'s and `send()`'s in their
 * own chunks), a v2 `select()` path into a complex property refused (187, and 14 for its words
 * naming both ways out), one property read alone, `property(name)` (145 for its class and method,
 * 4 for its own module, 19 for the result unwrapping it shares with operations), `expand()`'s
 * `nav/$count` and `nav/$ref` (136), a write that got no answer told by a mark rather than its
 * message (132) and a retried request's earlier attempts kept by the request (30), the redaction's
 * lone `name=token` after `Bearer` read as a token and a narrower Latin-1 `Basic` rule (39), with
 * their mends: a challenge's URL-valued params and the Latin-1 letters `¡ª µ º` (75), less a few
 * bytes where they met (45,657 measured at the end); to 45,740 for the mends of stop 36's reading,
 * each measured on the tree before it: options refused unless a plain object of any realm, an
 * instance of any class with them (70), a walk checking its caller's options itself (7), one
 * reading of an answer's JSON body for an entity and a property (8), less a few bytes where the
 * redaction's URL rule and the property's v2 refusal met (45,731 measured at the end); to 45,760
 * for `property(name).bytes()` (16: the method on the class at start; its reading loads with the
 * property's first read) (45,746 measured); `metadata()`'s one load of its module for every call
 * (12), within it (45,758 measured); to 45,780 for a v2 `$select` path through an expanded
 * navigation property no longer selecting that property whole beside it (14; 45,772 measured); to
 * 45,810 for such a path refused where a segment after its first is a navigation property the
 * request does not expand (`author/books/title` with `author` alone expanded: 47, on a tree 13
 * smaller where a key with `(` kept its parentheses; 45,806 measured); to 45,820 for a `NaN` key
 * value refused (6; 45,812 measured); to 45,940 for stop 40's hunt, each measured on the tree
 * before it: numbers below 1e-6 written in plain digits (53), a value masked already left as it
 * is by the redaction (63), the retry step keeping a write's earlier attempts where the service
 * asks for a pause beyond maxDelay (16), less 12 where the redaction's rule took parameter
 * aliases (45,931 measured at the end); to 46,070 for stop 41's hunt, each measured on the tree
 * before it: a v2 answer's inlined related entities marked where v2-values.ts converts it, and a
 * resumed v2 result marked again (126; v2-values.ts loads with every client, for resumeAsync), an
 * operation result's header ETag kept through its poller (9), a null next link read as none and
 * the rest within a few bytes either way, a nested `count(false)` taken on v2 (5) (46,063 measured
 * at the end; the reader's program 29,188).
 */
const READ_ONLY_START_BUDGET = 46_070;

/**
 * What the same program through `ODataReader` (test/bundle/read-entry.ts, importing
 * traverse-odata/read) may load at start, gzipped, in bytes: the walk and the reading queries.
 * Raised from 22,800 for the next page requested while a page is parsed (about 360 bytes with the
 * abort of a guess the parsed page contradicts), and lowered by 218 when the following of
 * redirects came to load with the first redirect: 23,000; raised to 23,150 for the option checks
 * of the reading queries and the walk that test/wrong-options-everywhere.test.ts asked for, and
 * a page's error that names its request (121 bytes); to 23,400 for the secrets a client sends,
 * kept with its failed answers (`SentSecrets`, 205 bytes); to 23,500 for the secret headers
 * every request carries kept like `Authorization` values (114 bytes); to 23,600 for an HTML page
 * answering a read, said as such rather than as JSON that does not parse (76 bytes); to 23,700 for
 * an `Authorization` kept as one when configured and past the bound of names (61 bytes); to
 * 23,800 for the secrets a body that is not JSON echoes masked in a read's and a page's BAD_PAYLOAD,
 * where the JSON parser's message quotes them in part, and the parser's error dropped as the
 * cause where it quotes them (an HTML page's; 169 bytes together); to 23,900 for whole numbers
 * beyond 2^53 written as their exact digits, `f.in` with an expression among its values written
 * as an `or`, and a literal's error that names the call it came from (95 bytes together); to
 * 24,000 for a walk left while a page is read that ends the body's reading (its stall timer
 * outlived the walk), an empty next link refused, a link a caller gives said to be the caller's
 * and a page delivered before its delta link is found to be no URL (58 bytes together); to
 * 24,100 for every header named like a credential dropped where the origin rule drops credentials,
 * and an empty link refused where every link resolves (60 bytes); to 24,300 for a pipeline step
 * that resolves with no Response refused naming the step (85 bytes), a single-valued navigation
 * that relates no entity read as null (22), a v4 expand path of navigation properties sent
 * nested (107) and a `Retry-After` date read in all three forms (21), less the 8 that the literal
 * writers' one way of naming their caller saved; to 24,400 for a configured `Prefer` joined with a
 * request's own preferences (81 bytes), the bodies of a `$count` and of one entity read to a limit
 * (60) and a next link's fragment dropped (8), less the 53 that the redaction by secret words
 * saved; to 24,500 for a stalled body reported as the stall watch's TIMEOUT whatever the body was
 * errored with (workerd errors it with a copy of the abort's reason, and a `get()` or `page()` gave
 * NETWORK_ERROR; 54 bytes); to 24,600 for a `$it/...` path inside a lambda left without the lambda
 * variable and the v2 refusal of `$count`, `$it` and `$this` paths (31 bytes), and a `Prefer`
 * value's quoted commas kept (29); to 24,900 for the same stop's fixes that a reader's walk holds:
 * 4.01's `in` refused by 4.0 and v2 (91 bytes), the redaction's new names and paging cursors (71),
 * the client's `headers` refusing `__proto__` and control characters (74), an abort that ends a
 * body's stall timer and rejects an error body's reading with its reason (40), every body read
 * whole to a limit (36): 334 bytes together; to 24,950 for a `$this/...` path refused by 4.0 and
 * v2 (34 bytes) and the option `ieee754Compatible` checked and put on a read's `Accept` (73); to
 * 25,200 for a foreign cause redacted however deep it quotes a secret (`util.inspect(error)` showed
 * nested request headers; about 250 bytes, the error classes' constructor uses it), secret query
 * parameters with percent-encoded names (about 130) and a TIMEOUT that names the token function
 * or request a request waited for (16), less what one chunk fewer and the shorter readable-escape
 * tables saved (about 250); down to 25,100 as the reading of `Retry-After` loads with the first
 * answer that asks for a pause; to 25,220 for the names of keys that let their holder in
 * (`x-functions-key`, `Private-Key`, `AccessKey`, `aeg-sas-key`) masked and kept from other origins
 * as `x-api-key` was (about 130 bytes, util/redact.ts, which the error classes load); to 25,350 for
 * the same stop's query fixes: `expand("*")` with `$levels` alone, a filter or order function's text
 * result refused, v2's string-matching call compared with a boolean (110 bytes together); to 25,400
 * for `$it` and `$this` alone as the value filtered, and refused as a lambda's collection (37 bytes);
 * to 25,450 for session cookies' values masked after their names in any text (`JSESSIONID=…`,
 * about 45 bytes in util/redact.ts); to 25,480 for `first()` reading no further than the first
 * entity where a service ignores `$top` (16) and `await using` of `stream()` (19); down to 25,340 as
 * http/body.ts joined the pipeline's chunk (one chunk fewer at start, about 140 bytes); to 25,350
 * for `untilAborted` leaving no listener on a signal already aborted (5 bytes; the auth step's copy
 * of it went); to 25,570 for `select()` or `expand()` before `navigate()` and any set option before
 * `key()` refused (about 135 bytes: the reader had no `checkWholeSet` before) and the secrets a URL or a
 * token answer shows masked (about 80, util/redact.ts); to 25,580 for a set's `select()` and
 * `expand()` carried by `key()` to the entity (a few bytes); to 25,700 for a nested lambda's `as`
 * naming an enclosing variable refused, `param()`'s numbers written as literals and a system
 * option's name without `$` refused on 4.01 (about 118 bytes together); to 25,710 for v2's
 * `inlinecount` and `levels` (which belongs inside `$expand`) left custom options on 4.01 (a few);
 * to 25,740 for the redaction's `//` and escaped path parameter (13) and `key()`'s own reason (17);
 * to 26,160 for the same stop's fixes as the read-only program's (about 420 bytes: a kept lambda
 * builder refused 53, free-text secrets 74, the walk's `top(n)`, `first()` and `202` 88, option
 * errors naming `ODataReader` 54, page annotations 53, `compute()` by `key()` 34, system option
 * names 51); down to 26,150 as a caller's signal came to be followed, not combined by
 * `AbortSignal.any` (about 17 saved); to 26,210 for `param()`'s system options, as the read-only
 * program's (64); to 26,250 for the walk's page asked for ahead under `top(n)` (40); to 26,280
 * for the token parameters masked in free text (26); down to 26,230 as the option errors name their
 * class through a parameter (45 saved); to 26,300 for the hints of a path given where several were
 * meant (`orderBy("Price desc")`, `select("ID,Name")`, `expand("A,B")`: about 115), less what moved
 * to the words of a page that did not read, loaded on failure (an HTML page; about 45 saved); to
 * 26,340 as each call names itself to the path check for its hint, as the read-only program's (36);
 * to 26,370 for the stall watch's timer holding the process open only while a read waits (28); to
 * 26,390 for a link the caller gives that is no URL refused as a TypeError (18 with lazy chunks'
 * names); to 26,400 for the option errors of a subclass naming the class it extends (8); to 26,450
 * for `singleton(name, { nullable: true })`, whose `get()` is typed `T | null` and reads a 204 as
 * null while any other singleton's 204 still rejects (the option checked, carried in the entity's
 * state: 48), and the CSRF step told whether retries are on (the option passed on: 2); to 26,510
 * for the names of more secret headers (15) and a link that is no URL quoted masked of the
 * secrets sent (47), as the read-only program's; to 27,150 for stop 33's, as the read-only
 * program's: `first()`'s scan (77), a read's own `headers` and `timeout` (249), `cast()` (75), a
 * letters-only `Basic` value masked (26), the header checker's own module (171 and one chunk); to
 * 27,160 for the body reader's failure detail as a function of its own (7), as the read-only
 * program's; to 27,330 for the client option `keyAsSegment` (170), as the read-only program's; to
 * 27,530 for every call's `onResponse`, as the read-only program's (194); to 27,730 for stop 34's
 * fixes, as the read-only program's: the link's `$expand` marked (21), a second `cast()` refused
 * (74), the query kind checked (1), the `Basic` rule (92), the `onResponse` wait ended (19), less a
 * few bytes where they met (27,727 measured at the end); to 27,815 for stop 35's fixes, as the
 * read-only program's: the redaction's challenge parameters (79) and Latin-1 `Basic` credential
 * (13), the one pipeline's reader on a given core (6), less a few bytes (27,810 measured at the end);
 * to 28,880 for stop 36's, as the read-only program's: reads refusing options (300), the v2
 * `select()` refusal (131), `property(name)` (171, less 10 once its class kept less), `expand()`'s
 * `$count`/`$ref` (144), the unanswered write's mark (128) and the retry history by request (13),
 * the redaction's rules and their mends (44 and 66) (28,867 measured at the end); to 28,970 for the
 * mends of stop 36's reading, as the read-only program's: options a plain object (67), the walk's
 * own check (14), the one JSON reading (6), the redaction's URL rule and the property's v2 refusal
 * (3) (28,957 measured at the end); to 29,000 for `property(name).bytes()` (27), as the read-only
 * program's (28,984 measured); `metadata()`'s one load of its module (10), within it (28,994
 * measured); to 29,010 for a v2 `$select` path through an expanded navigation property no longer
 * selecting that property whole (13), as the read-only program's (29,007 measured); to 29,050 for
 * such a path refused through a navigation property not expanded after its first segment (46, on
 * a tree 5 smaller), as the read-only program's (29,048 measured); to 29,060 for a `NaN` key value
 * refused (4), as the read-only program's (29,052 measured); to 29,190 for stop 40's hunt, as the
 * read-only program's: plain digits below 1e-6 (67), the masked value left (42), the earlier
 * attempts kept (29), less 10 for the alias rule (29,182 measured at the end).
 */
const READER_START_BUDGET = 29_190;

/**
 * Modules that a program built on `ODataReader` does not reach at all, not even as chunks loaded
 * later: what a reader cannot do (write, call operations, plan partitions, send `$batch`, poll).
 */
const NOT_IN_A_READER: readonly string[] = [
  "resources/query.ts",
  "resources/writes.ts",
  "resources/partition.ts",
  "resources/partitions.ts",
  "client.ts",
  "write/",
  "operations/",
  "batch/",
  "lro/",
];

/** Modules that a program which only reads must not load at start, by the feature that needs them. */
const NOT_AT_START: Record<string, readonly string[]> = {
  "$batch (sending, the wire forms, reading the answer)": [
    "batch/send.ts",
    "batch/plan.ts",
    "batch/wire.ts",
    "batch/results.ts",
    "batch/decoders.ts",
    "payload/multipart.ts",
    "payload/json-batch.ts",
    "payload/http-envelope.ts",
  ],
  "$metadata (EDMX, CSDL JSON)": ["metadata/edmx.ts", "metadata/csdl-json.ts", "metadata/read.ts", "metadata/cache.ts", "metadata/parse.ts"],
  delta: ["read/delta.ts"],
  "long-running operations (the initial answer, polling, monitor answers)": ["lro/start.ts", "lro/polling.ts", "lro/monitor-answer.ts"],
  writes: ["resources/writes.ts", "write/requests.ts", "write/send.ts", "write/media-transfer.ts"],
  "operation calls": ["operations/call.ts"],
  "single reads (get, countAll) and entity answers": ["read/entity.ts", "payload/entity-answer.ts"],
  "a property read alone (property(name).get(), .text())": ["read/property.ts", "payload/property-answer.ts"],
  "Atom and XML": ["payload/atom.ts", "payload/xml.ts"],
  "the incremental scanner of bodies over 8 MiB": ["payload/collection-scanner.ts"],
  "the reading of error bodies": ["payload/error-body.ts"],
  "the words of a page or entity whose body does not read (an HTML page, the other OData version)": ["read/payload-failure.ts"],
  "CSRF tokens and the wire log": ["http/csrf.ts", "http/wire-log.ts"],
  "OAuth2 client credentials (the token endpoint's client)": ["http/oauth2.ts", "util/shared-request.ts"],
  "the auth step of bearer tokens and basic credentials": ["http/auth.ts"],
  "the marks of expanded values": ["payload/expanded.ts"],
  "following redirects": ["http/redirects.ts"],
  "partition planning": ["resources/partitions.ts"],
  "SAP's messages (sapMessages(), in a program that imports it)": ["payload/sap-messages.ts"],
};

/** For each program with a feature beyond reading: modules its first use loads (and that are not loaded at start). */
const LOADED_WHEN_USED: Record<string, readonly string[]> = {
  "read-write.ts": ["resources/writes.ts", "write/requests.ts", "write/send.ts"],
  "read-batch.ts": ["batch/send.ts", "batch/plan.ts", "batch/wire.ts", "payload/multipart.ts"],
  "read-metadata.ts": ["metadata/cache.ts", "metadata/edmx.ts", "metadata/csdl-json.ts"],
  "read-lro.ts": ["lro/start.ts", "lro/polling.ts", "lro/monitor-answer.ts"],
};

const sizes = new Map<string, ScenarioSize>();
let walkModules: ScenarioSize;

before(async () => {
  for (const scenario of SCENARIOS) sizes.set(scenario.file, await measureScenario(scenario));
  walkModules = await measureScenario(WALK_MODULES);
});

function size(file: string): ScenarioSize {
  const found = sizes.get(file);
  assert.ok(found, `no measurement of test/bundle/${file}`);
  return found;
}

describe("bundle size (esbuild, code splitting, minified, gzipped)", () => {
  test("the table of every program", (t) => {
    const table = sizeTable(SCENARIOS.map((scenario) => size(scenario.file)));
    t.diagnostic(`\n${table}`);
    assert.equal(table.split("\n").length, SCENARIOS.length + 2);
  });

  test(`a read-only program loads at most ${READ_ONLY_START_BUDGET} bytes gzipped at start`, () => {
    const { start } = size("read-only.ts");
    assert.ok(
      start.gzipped <= READ_ONLY_START_BUDGET,
      `the read-only program loads ${start.gzipped} bytes gzipped at start (${start.minified} minified, ${start.chunks.length} chunks), over the budget of ${READ_ONLY_START_BUDGET}`,
    );
  });

  test(`a read-only program through ODataReader loads at most ${READER_START_BUDGET} bytes gzipped at start`, () => {
    const { start } = size("read-entry.ts");
    assert.ok(
      start.gzipped <= READER_START_BUDGET,
      `the reader's program loads ${start.gzipped} bytes gzipped at start (${start.minified} minified, ${start.chunks.length} chunks), over the budget of ${READER_START_BUDGET}`,
    );
  });

  for (const file of ["read-only.ts", "read-entry.ts"]) {
    test(`${file}: a read-only program loads none of the optional features at start`, () => {
      const { start } = size(file);
      const found = Object.entries(NOT_AT_START).flatMap(([feature, modules]) =>
        modules.filter((module) => start.sources.has(module)).map((module) => `src/${module} (${feature})`),
      );
      assert.deepEqual(found, [], `loaded at start by a program that only reads:\n  ${found.join("\n  ")}`);
    });
  }

  test("esbuild puts the ServiceModel class, a value export of traverse-odata, at the client's start; the reader's program loads it with metadata()", () => {
    assert.ok(size("read-only.ts").start.sources.has("metadata/model.ts"), "src/metadata/model.ts is no longer at the client's start: the README's Bundle size says it is");
    const reader = size("read-entry.ts");
    assert.ok(!reader.start.sources.has("metadata/model.ts"), "src/metadata/model.ts is at the start of the reader's program");
    assert.ok(reader.lazy.sources.has("metadata/model.ts"), "src/metadata/model.ts is not among the reader's chunks");
  });

  test("a program built on ODataReader loads OData v2's value forms only with the first v2 page; the client's has them at start, for its operation results", () => {
    const { start, lazy } = size("read-entry.ts");
    assert.ok(!start.sources.has("payload/v2-values.ts"), "src/payload/v2-values.ts is loaded at start");
    assert.ok(lazy.sources.has("payload/v2-values.ts"), "src/payload/v2-values.ts is not among the reader's chunks");
    // As the README's "Bundle size" says: a change here changes what it has to say.
    assert.ok(size("read-only.ts").start.sources.has("payload/v2-values.ts"), "src/payload/v2-values.ts is no longer at the client's start");
  });

  test("a program built on ODataReader reaches no writing, operation, partition, $batch or polling code, not even to load later", () => {
    const { start, lazy } = size("read-entry.ts");
    const reached = [...start.sources, ...lazy.sources].filter((module) => NOT_IN_A_READER.some((place) => (place.endsWith("/") ? module.startsWith(place) : module === place)));
    assert.deepEqual(reached.sort(), []);
    // The reader's program still loads its own optional parts when they are first used.
    for (const module of ["read/entity.ts", "read/delta.ts", "metadata/cache.ts", "payload/error-body.ts"]) assert.ok(lazy.sources.has(module), `src/${module} is not among the reader's chunks`);
  });

  test("an entity's get() loads the single reads without the reading of a property alone, which loads with property(name).get()", async () => {
    const { outputs } = await bundleProgram("read-only.ts");
    const chunkOf = (module: string) => [...outputs].find(([, output]) => output.entryPoint !== undefined && sourcePath(output.entryPoint) === module)?.[0];
    // What a chunk loaded with import() brings with it: the chunks it imports statically, transitively.
    const loadedWith = (module: string): Set<string> => {
      const chunk = chunkOf(module);
      assert.ok(chunk, `src/${module} is loaded by no import()`);
      const chunks = new Set<string>();
      for (let queue = [chunk], next = queue.pop(); next !== undefined; next = queue.pop()) {
        if (chunks.has(next)) continue;
        chunks.add(next);
        for (const imported of outputs.get(next)?.imports ?? []) if (imported.kind === "import-statement") queue.push(imported.path.replace(/^.*bundle-size-out\//, ""));
      }
      const sources = new Set<string>();
      for (const loaded of chunks) for (const [input, use] of Object.entries(outputs.get(loaded)?.inputs ?? {})) if (use.bytesInOutput > 0) sources.add(sourcePath(input) ?? input);
      return sources;
    };
    const get = loadedWith("read/entity.ts");
    assert.ok(get.has("payload/entity-answer.ts"), "get() does not load the reading of entity answers");
    for (const module of ["read/property.ts", "payload/property-answer.ts"]) assert.ok(!get.has(module), `get() of an entity loads src/${module}`);
    assert.ok(loadedWith("read/property.ts").has("payload/property-answer.ts"), "property(name).get() does not load the reading of property answers");
  });

  test("the walk itself is in the start chunks, not loaded on the first page", () => {
    for (const file of ["read-only.ts", "read-entry.ts"]) {
      const { start } = size(file);
      for (const module of ["read/traversal.ts", "payload/collection-body.ts", "query/filter.ts", "resources/read-query.ts", "http/steps.ts"]) {
        assert.ok(start.sources.has(module), `${file}: src/${module} is not in the start chunks`);
      }
    }
  });

  for (const [file, modules] of Object.entries(LOADED_WHEN_USED)) {
    test(`${file}: its feature's code loads when first used, not at start`, () => {
      const { start, used } = size(file);
      for (const module of modules) {
        assert.ok(!start.sources.has(module), `src/${module} is loaded at start`);
        assert.ok(used.sources.has(module), `src/${module} is not among what the feature loads when first used`);
      }
    });
  }

  test("a program that uses more features loads no more at start than a read-only one", () => {
    const readOnly = size("read-only.ts").start;
    for (const file of Object.keys(LOADED_WHEN_USED)) {
      const { start } = size(file);
      assert.deepEqual([...start.sources].sort(), [...readOnly.sources].sort(), `${file} loads other modules at start`);
    }
  });

  test("the README's Bundle size table is the one measured here", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("\n## Bundle size\n");
    assert.ok(start >= 0, 'the README has no section "Bundle size"');
    const end = readme.indexOf("\n## ", start + 1);
    const section = readme.slice(start, end < 0 ? undefined : end);
    const table = sizeTable(SCENARIOS.map((scenario) => size(scenario.file)));
    assert.ok(section.includes(table), `the README's table differs from the measured one; the measured one (node --import tsx test/bundle-size.ts):\n${table}`);
    assert.ok(section.replace(/\s+/g, " ").includes(`start to ${(READ_ONLY_START_BUDGET / 1000).toFixed(1)} kB gzipped`), "the README names the budget this test holds");
    assert.ok(section.replace(/\s+/g, " ").includes(`through ODataReader to ${(READER_START_BUDGET / 1000).toFixed(1)} kB`), "the README names the reader's budget this test holds");
  });

  test("the README's figures of the walk's own modules and of the reader's program are the measured ones", () => {
    // Line breaks of the prose count as spaces.
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8").replace(/\s+/g, " ");
    const { start } = walkModules;
    const claim = `${kilobytes(start.gzipped)} gzipped at start in ${start.chunks.length} chunks, ${kilobytes(start.gzippedTogether)} as one file`;
    assert.ok(readme.includes(claim), `the README does not say: ${claim}`);
    assert.ok(start.gzipped < size("read-only.ts").start.gzipped, "the walk alone loads less than the read-only program");
    const reader = size("read-entry.ts").start;
    const readerClaim = `${kilobytes(reader.gzipped)} in ${reader.chunks.length} chunks, ${kilobytes(reader.gzippedTogether)} as one file`;
    assert.ok(readme.includes(readerClaim), `the README does not say: ${readerClaim}`);
  });
});
