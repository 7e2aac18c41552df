package canonical

import (
	"time"
)

// Realistic documents shared by the golden, validation and schema tests.
// Identifiers use GS1's published example prefixes (0614141, 5901234) and
// check digits that are correct, so Validate passes on them as they stand.

var (
	eastern = time.FixedZone("", -5*3600) // EST, the partners' stated zone
	dec     = MustParseDecimal
)

func testMeta(kind DocumentKind, dir Direction, number string, set string) Meta {
	m := Meta{
		Kind:           kind,
		SchemaVersion:  SchemaVersion,
		Direction:      dir,
		PartnerID:      "acme-retail",
		DocumentNumber: number,
	}
	if set != "" {
		m.Source = &Source{
			Standard: StandardX12,
			File: &FileRef{
				Name:   string(dir) + "/ACME_" + set + "_20250131.edi",
				SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
				Size:   4182,
			},
			Interchange: &InterchangeRef{
				SenderQualifier: "ZZ", SenderID: "ACMERETAIL",
				ReceiverQualifier: "ZZ", ReceiverID: "B2BGWDIST",
				ControlNumber: "000001742", Date: "250131 0905",
			},
			Group: &GroupRef{FunctionalID: "PO", SenderCode: "ACMERETAIL", ReceiverCode: "B2BGWDIST",
				ControlNumber: "1742", Version: "004010"},
			Set: &SetRef{ID: set, Version: "004010", ControlNumber: "0001", Index: 1},
		}
	}
	return m
}

func fixtureOrder() *Order {
	return &Order{
		Meta:                  testMeta(KindOrder, Inbound, "PO4500012345", "850"),
		Purpose:               PurposeOriginal,
		Type:                  OrderStandalone,
		PONumber:              "PO4500012345",
		Currency:              "USD",
		OrderDate:             NewDate(2025, time.January, 31),
		RequestedDeliveryDate: NewDate(2025, time.February, 10),
		ShipNotBefore:         NewDate(2025, time.February, 3),
		CancelAfter:           NewDate(2025, time.February, 14),
		Dates: []QualifiedDate{
			{Qualifier: "002", Date: NewDate(2025, time.February, 10)},
			{Qualifier: "037", Date: NewDate(2025, time.February, 3)},
			{Qualifier: "001", Date: NewDate(2025, time.February, 14)},
		},
		Parties: []Party{
			{Role: RoleBuyer, Name: "ACME Retail Inc.", GLN: "0614141000005",
				IDs:      []Identifier{{Qualifier: "UL", Value: "0614141000005"}},
				Contacts: []Contact{{Function: "BD", Name: "Dana Buyer", Phone: "555-0100", Email: "dana@acme.example"}}},
			{Role: RoleShipTo, Name: "ACME DC 0042",
				IDs: []Identifier{{Qualifier: "92", Value: "0042"}},
				Address: &Address{Lines: []string{"4200 Logistics Pkwy", "Dock 7"}, City: "Columbus",
					State: "OH", PostalCode: "43217", Country: "US"}},
			{Role: RoleBillTo, Name: "ACME Retail Accounts Payable", DUNS: "150483782",
				IDs: []Identifier{{Qualifier: "1", Value: "150483782"}}},
		},
		References: []Reference{
			{Qualifier: "DP", Value: "038"},
			{Qualifier: "IA", Value: "77120"},
			{Qualifier: "PD", Value: "SPRING25", Description: "Spring promotion"},
		},
		Department:    "038",
		VendorNumber:  "77120",
		PromotionCode: "SPRING25",
		Carrier:       &Carrier{SCAC: "ODFL", Name: "Old Dominion", Mode: ModeLTL, Routing: "Route via DC 0042 dock 7"},
		ShippingTerms: &ShippingTerms{Payment: FreightCollect, Location: "Origin"},
		PaymentTerms: &PaymentTerms{Description: "2% 10 Net 30", DiscountPercent: dec("2").Ptr(),
			DiscountDays: 10, NetDays: 30},
		Notes: []Note{{Qualifier: "SHP", Text: "Deliver between 06:00 and 14:00. Call 24h ahead."}},
		Lines: []OrderLine{
			{
				LineNumber: "1", Quantity: dec("48"), UOM: UOMEach, UnitPrice: dec("12.50").Ptr(),
				PriceBasis: PriceContract,
				Product: ProductRef{GTIN: "00036000291452", VendorPartNumber: "WID-100-BLU", BuyerPartNumber: "883201",
					IDs: []Identifier{{Qualifier: "UP", Value: "036000291452"}, {Qualifier: "VN", Value: "WID-100-BLU"},
						{Qualifier: "IN", Value: "883201"}}},
				Description: "Widget 100, blue", PackSize: dec("12").Ptr(),
			},
			{
				LineNumber: "2", Quantity: dec("2.5"), UOM: UOMKilogram, UnitPrice: dec("3.1250").Ptr(),
				PriceBasis: PricePerUnit,
				Product: ProductRef{VendorPartNumber: "GRS-BULK",
					IDs: []Identifier{{Qualifier: "VN", Value: "GRS-BULK"}}},
				Description:           "Bearing grease, bulk",
				RequestedDeliveryDate: NewDate(2025, time.February, 12),
				Notes:                 []Note{{Text: "Ship in sealed drum"}},
			},
			{
				LineNumber: "3", Quantity: dec("10"), UOM: UOMCase, UnitPrice: dec("89.00").Ptr(),
				Product: ProductRef{GTIN: "10012345678902", BuyerPartNumber: "883377",
					IDs: []Identifier{{Qualifier: "UK", Value: "10012345678902"}, {Qualifier: "IN", Value: "883377"}}},
				References: []Reference{{Qualifier: "CT", Value: "K-2025-17"}},
			},
		},
		Totals: &OrderTotals{LineCount: 3, HashTotal: dec("60.5").Ptr()},
	}
}

func fixtureShipment() *ShipmentNotice {
	shipped, _ := NewDate(2025, time.February, 4).At("1430", eastern)
	created, _ := NewDate(2025, time.February, 4).At("151210", eastern)
	return &ShipmentNotice{
		Meta:              testMeta(KindShipmentNotice, Outbound, "ASN-000981", "856"),
		Purpose:           PurposeOriginal,
		ShipmentID:        "ASN-000981",
		Structure:         PickPack,
		NoticeDate:        created,
		ShipDate:          shipped,
		EstimatedDelivery: NewDate(2025, time.February, 6),
		Carrier:           &Carrier{SCAC: "ODFL", Mode: ModeLTL},
		Tracking:          &Tracking{BillOfLading: "BOL7781230", ProNumber: "0123456789"},
		GrossWeight:       &Measure{Value: dec("412.5"), UOM: UOMPound},
		Packaging:         []PackageCount{{Type: PackPallet, Quantity: 1}, {Type: PackCarton, Quantity: 3}},
		Parties: []Party{
			{Role: RoleShipFrom, Name: "B2BGW Distribution", GLN: "5901234123457",
				Address: &Address{Lines: []string{"1 Warehouse Rd"}, City: "Dayton", State: "OH", PostalCode: "45402", Country: "US"}},
			{Role: RoleShipTo, Name: "ACME DC 0042", IDs: []Identifier{{Qualifier: "92", Value: "0042"}}},
		},
		Orders: []ShipmentOrder{{
			PONumber:          "PO4500012345",
			OrderDate:         NewDate(2025, time.January, 31),
			VendorOrderNumber: "S00042",
			Packs: []Pack{{
				SSCC: "008123456789000001", Type: PackPallet,
				GrossWeight: &Measure{Value: dec("412.5"), UOM: UOMPound},
				Packs: []Pack{
					{SSCC: "008123456789000018", Type: PackCarton, Items: []ShipmentItem{{
						LineNumber: "1", UOM: UOMEach, QuantityShipped: dec("24"), QuantityOrdered: dec("48").Ptr(),
						Product: ProductRef{GTIN: "00036000291452", VendorPartNumber: "WID-100-BLU"},
						Lots:    []Lot{{Number: "L2501A", ExpiryDate: NewDate(2027, time.January, 31)}},
					}}},
					{SSCC: "008123456789000025", Type: PackCarton, Items: []ShipmentItem{
						{
							LineNumber: "1", UOM: UOMEach, QuantityShipped: dec("24"),
							Product: ProductRef{GTIN: "00036000291452", VendorPartNumber: "WID-100-BLU"},
							Lots: []Lot{
								{Number: "L2501A", Quantity: dec("10").Ptr(), ExpiryDate: NewDate(2027, time.January, 31)},
								{Number: "L2502B", Quantity: dec("14").Ptr(), ExpiryDate: NewDate(2027, time.February, 28),
									ProductionDate: NewDate(2025, time.February, 1)},
							},
						},
						{
							LineNumber: "2", UOM: UOMKilogram, QuantityShipped: dec("2.5"),
							Product: ProductRef{VendorPartNumber: "GRS-BULK"},
							Lots:    []Lot{{Number: "G-7781"}},
						},
					}},
					{SSCC: "008123456789000032", Type: PackCarton, Items: []ShipmentItem{{
						LineNumber: "3", UOM: UOMCase, QuantityShipped: dec("10"),
						Product:       ProductRef{GTIN: "10012345678902", BuyerPartNumber: "883377"},
						SerialNumbers: []string{"SN-0001", "SN-0002"},
					}}},
				},
			}},
		}},
		Totals: &ShipmentTotals{LineCount: 9},
	}
}

func fixtureWarehouseAdvice() *WarehouseShippingAdvice {
	return &WarehouseShippingAdvice{
		Meta:                 testMeta(KindWarehouseShippingAdvice, Inbound, "WH/OUT/00017", "945"),
		Purpose:              PurposeOriginal,
		DepositorOrderNumber: "WH/OUT/00017",
		CustomerPONumber:     "PO4500012345",
		ShipmentID:           "3PL-SH-55120",
		WarehouseCode:        "CMH1",
		ShipDate:             NewDate(2025, time.February, 4),
		Carrier:              &Carrier{SCAC: "UPSN", Name: "UPS", Mode: ModeParcel, ServiceLevel: "GROUND"},
		Tracking:             &Tracking{TrackingNumbers: []string{"1Z999AA10123456784", "1Z999AA10123456795"}},
		Parties: []Party{
			{Role: RoleShipTo, Name: "ACME Store 118", Address: &Address{Lines: []string{"118 Main St"},
				City: "Akron", State: "OH", PostalCode: "44308", Country: "US"}},
			{Role: RoleWarehouse, Name: "Midwest 3PL Columbus", IDs: []Identifier{{Qualifier: "ZZ", Value: "CMH1"}}},
		},
		References: []Reference{{Qualifier: "BM", Value: "BOL-55120"}},
		Lines: []AdviceLine{
			{
				LineNumber: "1", Status: LinePartial, UOM: UOMEach,
				Product:         ProductRef{GTIN: "00036000291452", VendorPartNumber: "WID-100-BLU"},
				QuantityOrdered: dec("48").Ptr(), QuantityShipped: dec("40"), QuantityDifference: dec("8").Ptr(),
				Lots: []Lot{
					{Number: "L2501A", Quantity: dec("30").Ptr(), ExpiryDate: NewDate(2027, time.January, 31)},
					{Number: "L2502B", Quantity: dec("10").Ptr(), ExpiryDate: NewDate(2027, time.February, 28)},
				},
				SSCCs: []string{"008123456789000018", "008123456789000025"},
			},
			{
				LineNumber: "2", Status: LineComplete, UOM: UOMEach,
				Product:         ProductRef{VendorPartNumber: "SCN-9", BuyerPartNumber: "883390"},
				QuantityOrdered: dec("2").Ptr(), QuantityShipped: dec("2"),
				SerialNumbers: []string{"SCN9-00071", "SCN9-00072"},
			},
			{
				LineNumber: "3", Status: LineNotShipped, UOM: UOMEach,
				Product:         ProductRef{VendorPartNumber: "WID-200-RED"},
				QuantityOrdered: dec("6").Ptr(), QuantityShipped: dec("0"), QuantityDifference: dec("6").Ptr(),
			},
		},
		Totals: &AdviceTotals{QuantityShipped: dec("42").Ptr(), Weight: &Measure{Value: dec("38.2"), UOM: UOMPound}, Packages: 2},
	}
}

func fixtureInventory() *InventoryAdvice {
	asOf, _ := NewDate(2025, time.February, 4).At("0600", time.UTC)
	m := testMeta(KindInventoryAdvice, Outbound, "ATP-20250204-0600", "")
	m.Source = &Source{Standard: StandardX12, Set: &SetRef{ID: "846", Version: "004010", ControlNumber: "0107"}}
	return &InventoryAdvice{
		Meta:     m,
		AdviceID: "ATP-20250204-0600",
		AsOf:     asOf,
		Parties: []Party{
			{Role: RoleVendor, Name: "B2BGW Distribution", GLN: "5901234123457"},
			{Role: RoleBuyer, Name: "ACME Retail Inc.", GLN: "0614141000005"},
		},
		Items: []InventoryItem{
			{Product: ProductRef{GTIN: "00036000291452", VendorPartNumber: "WID-100-BLU"}, Warehouse: "WH",
				QuantityAvailable: dec("1250"), QuantityOnOrder: dec("500").Ptr(), UOM: UOMEach,
				AvailableDate: NewDate(2025, time.February, 20)},
			{Product: ProductRef{GTIN: "00036000291452", VendorPartNumber: "WID-100-BLU"}, Warehouse: "CMH1",
				QuantityAvailable: dec("0"), UOM: UOMEach},
			{Product: ProductRef{VendorPartNumber: "GRS-BULK"}, Description: "Bearing grease, bulk", Warehouse: "WH",
				QuantityAvailable: dec("184.25"), UOM: UOMKilogram},
		},
	}
}

func fixtureCatalogItem() *CatalogItem {
	lead := 14
	m := testMeta(KindCatalogItem, Inbound, "WID-100-BLU", "")
	m.PartnerID = "widgetco"
	m.Source = &Source{Standard: StandardCSV, Record: 17, File: &FileRef{Name: "catalog/widgetco-2025Q1.csv",
		SHA256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}}
	return &CatalogItem{
		Meta:              m,
		RowNumber:         17,
		Vendor:            Party{Role: RoleVendor, Name: "WidgetCo GmbH", IDs: []Identifier{{Qualifier: "supplier_code", Value: "WIDGETCO"}}},
		VendorProductCode: "WID-100-BLU",
		GTIN:              "04006381333931",
		Description:       "Widget 100, blue, 12/case",
		UnitPrice:         dec("9.875"),
		Currency:          "EUR",
		MinQuantity:       dec("120").Ptr(),
		PackSize:          dec("12").Ptr(),
		UOM:               UOMEach,
		LeadTimeDays:      &lead,
		ValidFrom:         NewDate(2025, time.January, 1),
		ValidTo:           NewDate(2025, time.March, 31),
	}
}

func fixtureAck() *Acknowledgment {
	m := testMeta(KindAcknowledgment, Inbound, "997-0001", "997")
	m.Source.Group.FunctionalID = "FA"
	return &Acknowledgment{
		Meta:     m,
		Type:     AckFunctional,
		Standard: StandardX12,
		Status:   AckPartiallyAccepted,
		Groups: []AckGroup{{
			FunctionalID: "SH", ControlNumber: "981", Version: "004010", Status: AckPartiallyAccepted,
			SetsIncluded: 2, SetsReceived: 2, SetsAccepted: 1,
			Sets: []AckSet{
				{ID: "856", ControlNumber: "0001", Status: AckAccepted},
				{ID: "856", ControlNumber: "0002", Status: AckRejected, Errors: []AckError{
					{Code: "8", Description: "Segment has data element errors", SegmentID: "MAN", SegmentPosition: 14, LoopID: "HL"},
					{Code: "7", Description: "Invalid code value", SegmentID: "MAN", SegmentPosition: 14,
						ElementPosition: 1, ElementReference: "88", BadValue: "XX"},
				}},
			},
		}},
	}
}
