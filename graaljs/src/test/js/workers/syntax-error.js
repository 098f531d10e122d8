// A classic worker script that does not parse (line 4): HTML "run a classic script" reports the parse
// error like a runtime one, as an ErrorEvent at the Worker.
const fine = 1;
this is not javascript;
