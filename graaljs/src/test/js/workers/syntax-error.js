// A classic worker script that does not parse (line 4): the parse error is reported to the parent
// as an error event at its Worker.
const fine = 1;
this is not javascript;
