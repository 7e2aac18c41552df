// Package edifact reads, checks, acknowledges and writes UN/EDIFACT
// interchanges (ISO 9735, syntax versions 1 to 4), in the manner of the x12
// package:
//
//   - Reader tokenizes a stream into segments (zero-copy, buffers reused,
//     release characters honoured, service string advice UNA or the
//     defaults of the syntax level);
//   - Decoder follows the envelope (UNA, UNB/UNZ, UNG/UNE, UNH/UNT), checks
//     counts, references, the character repertoire of the syntax
//     identifier, and duplicates, and hands out each message with its own
//     copy of its segments;
//   - Validator checks a message against its directory specification
//     (segment groups, status, repeats, formats, code lists, partner
//     overlays) and produces findings ready for a CONTRL (UCM, UCS, UCD);
//   - BuildCONTRL writes the syntax and service report message for syntax
//     versions 3 and 4; ReadCONTRL reads a partner's CONTRL back;
//   - Writer writes segments with release-character escaping and counts the
//     envelope by construction.
//
// Syntax error codes are those of ISO 9735 code list 0085; action codes
// those of list 0083. Sources: the ISO 9735 service directories (syntax
// versions 1-4, service segments, composites and code lists) as published
// with UNTDID and carried by the Debian package libbusiness-edi-perl.
package edifact
