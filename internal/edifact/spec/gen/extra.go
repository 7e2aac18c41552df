package main

// Code lists the Debian tables do not carry, written by hand from the
// published lists; every one is a deliberate subset (complete: false) that
// partner overlays extend.

func list(note string, kv ...string) codeList {
	cl := codeList{note: note, codes: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		cl.codes[kv[i]] = kv[i+1]
	}
	return cl
}

// unclAdditions are codes of D96A/D01B that the later UNCL lists of the
// package no longer carry but trading practice uses.
var unclAdditions = map[string]map[string]string{
	// GIN+BJ carries the SSCC in DESADV (EANCOM and most retail guides).
	"7405": {"BJ": "Serial shipping container code"},
}

var extraCodes = map[string]codeList{
	// 6411 refers to UN/ECE Recommendation 20 (units of measure): a
	// subset of the units seen in orders and despatch advices.
	"6411": list("subset of UN/ECE Recommendation 20 (units of measure) common in trade; extend per partner with an overlay",
		"C62", "One", "EA", "Each", "PCE", "Piece", "H87", "Piece", "NAR", "Number of articles", "SET", "Set",
		"PR", "Pair", "DZN", "Dozen", "GRO", "Gross", "PK", "Pack", "CT", "Carton", "BX", "Box", "CS", "Case",
		"KGM", "Kilogram", "GRM", "Gram", "MGM", "Milligram", "TNE", "Tonne (metric ton)", "LBR", "Pound", "ONZ", "Ounce",
		"LTR", "Litre", "MLT", "Millilitre", "CLT", "Centilitre", "HLT", "Hectolitre", "GLL", "Gallon (US)", "MTQ", "Cubic metre",
		"MTR", "Metre", "CMT", "Centimetre", "MMT", "Millimetre", "KMT", "Kilometre", "INH", "Inch", "FOT", "Foot",
		"MTK", "Square metre", "CMK", "Square centimetre",
		"HUR", "Hour", "MIN", "Minute", "SEC", "Second", "DAY", "Day", "WEE", "Week", "MON", "Month", "ANN", "Year",
		"KWH", "Kilowatt hour"),
	// 7065 refers to UN/ECE Recommendation 21 (package types).
	"7065": list("subset of UN/ECE Recommendation 21 (codes for types of package); extend per partner with an overlay",
		"BA", "Barrel", "BE", "Bundle", "BG", "Bag", "BX", "Box", "CN", "Container, not otherwise specified",
		"CR", "Crate", "CS", "Case", "CT", "Carton", "DR", "Drum", "EN", "Envelope", "PA", "Packet", "PK", "Package",
		"PL", "Pail", "PX", "Pallet", "RO", "Roll", "SA", "Sack", "TB", "Tub", "TU", "Tube", "NE", "Unpacked or unpackaged",
		"BJ", "Bucket", "CH", "Chest", "RG", "Ring", "SW", "Shrinkwrapped", "CX", "Can, cylindrical"),
}

// serviceCodes returns the ISO 9735 service code lists of a syntax
// version, from the standard's code lists (ISO 9735 / UN/EDIFACT service
// code directory).
func serviceCodes(syntax int) map[string]codeList {
	ids := list("syntax identifiers of ISO 9735 in common use (UNOA-UNOY, UNOW for v4); a subset of the registered identifiers",
		"UNOA", "UN/ECE level A", "UNOB", "UN/ECE level B", "UNOC", "UN/ECE level C (ISO 8859-1)", "UNOD", "UN/ECE level D (ISO 8859-2)",
		"UNOE", "UN/ECE level E (ISO 8859-5)", "UNOF", "UN/ECE level F (ISO 8859-7)", "UNOG", "UN/ECE level G (ISO 8859-3)",
		"UNOH", "UN/ECE level H (ISO 8859-4)", "UNOI", "UN/ECE level I (ISO 8859-6)", "UNOJ", "UN/ECE level J (ISO 8859-8)",
		"UNOK", "UN/ECE level K (ISO 8859-9)", "UNOX", "UN/ECE level X (ISO 2022 code extension)", "UNOY", "UN/ECE level Y (ISO 10646-1)",
		"KECA", "Korean Character Set")
	if syntax >= 4 {
		ids.codes["UNOW"] = "UN/ECE level W (ISO 10646-1 UTF-8)"
	}
	versions := list("syntax version numbers 1 to 4", "1", "Version 1", "2", "Version 2", "3", "Version 3", "4", "Version 4")
	versions.complete = true
	action := list("0083 action codes of CONTRL", "4", "This level and all lower levels rejected", "7", "This level acknowledged, next lower level acknowledged if not explicitly rejected", "8", "Interchange received")
	action.complete = true
	syntaxErr := list("0085 syntax error codes of ISO 9735 (syntax version 4 list; version 3 used codes 2-40 of it)",
		"2", "Syntax version or level not supported", "7", "Interchange recipient not actual recipient",
		"12", "Invalid value", "13", "Missing", "14", "Value not supported in this position", "15", "Not supported in this position",
		"16", "Too many constituents", "17", "No agreement", "18", "Unspecified error", "19", "Invalid decimal notation",
		"20", "Character invalid as service character", "21", "Invalid character(s)", "22", "Invalid service character(s)",
		"23", "Unknown Interchange sender", "24", "Too old", "25", "Test indicator not supported", "26", "Duplicate detected",
		"27", "Security function not supported", "28", "References do not match", "29", "Control count does not match number of instances received",
		"30", "Functional groups and messages mixed", "31", "More than one message type in group", "32", "Lower level empty",
		"33", "Invalid occurrence outside message, package or group", "34", "Nesting indicator not allowed", "35", "Too many repetitions",
		"36", "Too many segment group repetitions", "37", "Invalid type of character(s)", "38", "Missing digit in front of decimal sign",
		"39", "Data element too long", "40", "Data element too short", "41", "Permanent communication network error",
		"42", "Temporary communication network error", "43", "Unknown interchange recipient", "45", "Trailing separator",
		"46", "Character set not supported", "47", "Envelope functionality not supported", "48", "Dependency condition violated")
	section := list("0081 section identification", "D", "Header/detail section separation", "S", "Detail/summary section separation")
	section.complete = true
	agency := list("0051 controlling agencies in common use; a subset", "UN", "UN/CEFACT", "EN", "EAN International (GS1)", "KE", "Korea EDIFACT Committee", "AA", "EDICONSTRUCT", "ED", "EDIFICE", "EE", "EDIFICAS", "EX", "IECC", "IA", "IATA", "LI", "LIMNET", "OD", "ODETTE", "RI", "RINET", "RT", "UN/EDIFACT RT messages")
	ack := list("0031 acknowledgement request", "1", "Requested")
	ack.complete = true
	test := list("0035 test indicator", "1", "Interchange is a test")
	test.complete = true
	return map[string]codeList{"0001": ids, "0002": versions, "0083": action, "0085": syntaxErr, "0081": section, "0051": agency, "0031": ack, "0035": test}
}
