// Every export of the package in use: the whole library.
import * as library from "../../src/index.js";

console.log(Object.values(library));
