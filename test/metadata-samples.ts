// Hand-written `$metadata` documents for test/metadata.test.ts, modelled on real services: an OData
// v4 EDMX with vocabularies, aliases and both inline and targeted annotations; an SAP Gateway-style
// OData v2 EDMX (2008/09 CSDL, associations, function imports, sap: attributes); and the CSDL JSON
// form of part of the v4 sample. Also `badMetadata`, the error a document that cannot be read gives.
import assert from "node:assert/strict";
import { ODataClientError } from "../src/index.js";

/** OData v4 EDMX: a bookshop with inheritance, enums, overloads and annotations under aliases. */
export const V4_EDMX = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.01" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="C"/>
  </edmx:Reference>
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml">
    <edmx:Include Namespace="Org.OData.Capabilities.V1" Alias="Cap"/>
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="Shop.Model" Alias="Shop" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Item" Abstract="true">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int64" Nullable="false"/>
        <Property Name="ETag" Type="Edm.String" MaxLength="40">
          <Annotation Term="C.Computed"/>
        </Property>
        <Property Name="Created" Type="Edm.DateTimeOffset" Precision="3">
          <Annotation Term="C.Immutable" Bool="true"/>
        </Property>
      </EntityType>
      <EntityType Name="Book" BaseType="Shop.Item" OpenType="true">
        <Annotation Term="C.Description" String="A book in the catalogue"/>
        <Property Name="Title" Type="Edm.String" Nullable="false" MaxLength="max"/>
        <Property Name="Price" Type="Edm.Decimal" Precision="9" Scale="2"/>
        <Property Name="Ratio" Type="Edm.Decimal" Scale="variable"/>
        <Property Name="Tags" Type="Collection(Edm.String)"/>
        <Property Name="Format" Type="Shop.Format" DefaultValue="Paper"/>
        <Property Name="Address" Type="Shop.Address"/>
        <Property Name="Isbn" Type="Shop.Isbn"/>
        <NavigationProperty Name="Author" Type="Shop.Author" Nullable="false" Partner="Books">
          <ReferentialConstraint Property="AuthorID" ReferencedProperty="ID"/>
        </NavigationProperty>
        <NavigationProperty Name="Chapters" Type="Collection(Shop.Chapter)" ContainsTarget="true">
          <OnDelete Action="Cascade"/>
        </NavigationProperty>
        <Property Name="AuthorID" Type="Edm.Int64"/>
      </EntityType>
      <EntityType Name="Cover" HasStream="true">
        <Key><PropertyRef Name="BookID"/></Key>
        <Property Name="BookID" Type="Edm.Int64" Nullable="false"/>
      </EntityType>
      <EntityType Name="Author">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int64" Nullable="false"/>
        <Property Name="Name" Type="Edm.String"/>
        <NavigationProperty Name="Books" Type="Collection(Shop.Book)" Partner="Author"/>
      </EntityType>
      <EntityType Name="Chapter">
        <Key><PropertyRef Name="Home/Number" Alias="Number"/></Key>
        <Property Name="Home" Type="Shop.Position" Nullable="false"/>
      </EntityType>
      <ComplexType Name="Position"><Property Name="Number" Type="Edm.Int32" Nullable="false"/></ComplexType>
      <ComplexType Name="Address">
        <Property Name="City" Type="Edm.String"/>
        <Property Name="Location" Type="Edm.GeographyPoint" SRID="4326"/>
      </ComplexType>
      <EnumType Name="Format" UnderlyingType="Edm.Byte">
        <Member Name="Paper"/>
        <Member Name="Ebook"/>
        <Member Name="Audio" Value="7"/>
      </EnumType>
      <EnumType Name="Flags" IsFlags="true">
        <Member Name="Signed" Value="1"/>
        <Member Name="FirstEdition" Value="2"/>
      </EnumType>
      <TypeDefinition Name="Isbn" UnderlyingType="Edm.String" MaxLength="17" Unicode="false"/>
      <Action Name="Restock" IsBound="true">
        <Parameter Name="book" Type="Shop.Book" Nullable="false"/>
        <Parameter Name="quantity" Type="Edm.Int32" Nullable="false"/>
        <ReturnType Type="Edm.Int32" Nullable="false"/>
      </Action>
      <Action Name="Restock" IsBound="true">
        <Parameter Name="books" Type="Collection(Shop.Book)" Nullable="false"/>
        <Parameter Name="quantity" Type="Edm.Int32" Nullable="false"/>
      </Action>
      <Function Name="Search" IsComposable="true">
        <Parameter Name="text" Type="Edm.String"/>
        <ReturnType Type="Collection(Shop.Book)"/>
      </Function>
      <Function Name="Search">
        <Parameter Name="text" Type="Edm.String"/>
        <Parameter Name="limit" Type="Edm.Int32"/>
        <ReturnType Type="Collection(Shop.Book)"/>
      </Function>
      <Function Name="BestPrice" IsBound="true" EntitySetPath="book">
        <Parameter Name="book" Type="Shop.Book"/>
        <ReturnType Type="Edm.Decimal" Scale="2" Precision="9"/>
      </Function>
      <Action Name="ResetAll"/>
      <EntityContainer Name="Default">
        <EntitySet Name="Books" EntityType="Shop.Book">
          <NavigationPropertyBinding Path="Author" Target="Authors"/>
          <Annotation Term="Cap.InsertRestrictions">
            <Record>
              <PropertyValue Property="Insertable" Bool="false"/>
              <PropertyValue Property="NonInsertableNavigationProperties">
                <Collection><NavigationPropertyPath>Author</NavigationPropertyPath></Collection>
              </PropertyValue>
            </Record>
          </Annotation>
        </EntitySet>
        <EntitySet Name="Authors" EntityType="Shop.Author" IncludeInServiceDocument="false">
          <NavigationPropertyBinding Path="Books" Target="Books"/>
        </EntitySet>
        <EntitySet Name="Covers" EntityType="Shop.Cover"/>
        <Singleton Name="Bestseller" Type="Shop.Book">
          <NavigationPropertyBinding Path="Author" Target="Authors"/>
        </Singleton>
        <ActionImport Name="ResetAll" Action="Shop.ResetAll"/>
        <FunctionImport Name="Search" Function="Shop.Search" EntitySet="Books" IncludeInServiceDocument="true"/>
      </EntityContainer>
      <Annotations Target="Shop.Default/Books">
        <Annotation Term="C.OptimisticConcurrency">
          <Collection><PropertyPath>ETag</PropertyPath></Collection>
        </Annotation>
        <Annotation Term="Cap.FilterRestrictions">
          <Record Type="Cap.FilterRestrictionsType">
            <PropertyValue Property="NonFilterableProperties">
              <Collection><PropertyPath>Tags</PropertyPath></Collection>
            </PropertyValue>
          </Record>
        </Annotation>
        <Annotation Term="Cap.CountRestrictions">
          <Record><PropertyValue Property="Countable" Bool="true"/></Record>
        </Annotation>
        <Annotation Term="Cap.TopSupported" Bool="false"/>
      </Annotations>
      <Annotations Target="Shop.Book/Title">
        <Annotation Term="Org.OData.Core.V1.Description" String="The title on the cover"/>
        <Annotation Term="C.Description" Qualifier="short" String="Title"/>
      </Annotations>
      <Annotations Target="Shop.Restock(Collection(Shop.Book))/quantity">
        <Annotation Term="C.Description" String="Copies added to each book"/>
      </Annotations>
      <Annotations Target="Shop.Format/Audio">
        <Annotation Term="C.Description" String="Read aloud"/>
      </Annotations>
      <Annotations Target="Shop.Default">
        <Annotation Term="C.Permissions" EnumMember="C.Permission/Read C.Permission/Write"/>
      </Annotations>
      <Annotations Target="Other.Service/Thing">
        <Annotation Term="C.Description" String="not in this model"/>
      </Annotations>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/** An SAP Gateway-style OData v2 EDMX (CSDL 2008/09, v2 metadata namespace, sap: attributes). */
export const V2_EDMX = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx"
    xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:sap="http://www.sap.com/Protocols/SAPData">
  <edmx:DataServices m:DataServiceVersion="2.0">
    <Schema Namespace="ZSALES_SRV" xml:lang="en" sap:schema-version="1" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
      <EntityType Name="SalesOrder" sap:content-version="1">
        <Key><PropertyRef Name="OrderID"/></Key>
        <Property Name="OrderID" Type="Edm.String" Nullable="false" MaxLength="10" sap:label="Order" sap:creatable="false" sap:updatable="false"/>
        <Property Name="CustomerID" Type="Edm.String" MaxLength="10" sap:label="Customer"/>
        <Property Name="Note" Type="Edm.String" MaxLength="255" sap:filterable="false" sap:sortable="false"/>
        <Property Name="GrossAmount" Type="Edm.Decimal" Precision="16" Scale="3" sap:unit="Currency"/>
        <Property Name="Currency" Type="Edm.String" MaxLength="5" sap:semantics="currency-code"/>
        <Property Name="ChangedAt" Type="Edm.DateTime" Precision="7" ConcurrencyMode="Fixed"/>
        <NavigationProperty Name="Items" Relationship="ZSALES_SRV.Assoc_Order_Items" FromRole="FromRole_Order" ToRole="ToRole_Items"/>
        <NavigationProperty Name="Customer" Relationship="ZSALES_SRV.Assoc_Customer_Orders" FromRole="ToRole_Orders" ToRole="FromRole_Customer"/>
      </EntityType>
      <EntityType Name="SalesOrderItem">
        <Key><PropertyRef Name="OrderID"/><PropertyRef Name="ItemPosition"/></Key>
        <Property Name="OrderID" Type="Edm.String" Nullable="false" MaxLength="10"/>
        <Property Name="ItemPosition" Type="Edm.String" Nullable="false" MaxLength="10"/>
        <Property Name="Quantity" Type="Edm.Decimal" Precision="13" Scale="3"/>
        <NavigationProperty Name="Order" Relationship="ZSALES_SRV.Assoc_Order_Items" FromRole="ToRole_Items" ToRole="FromRole_Order"/>
      </EntityType>
      <EntityType Name="Customer">
        <Key><PropertyRef Name="CustomerID"/></Key>
        <Property Name="CustomerID" Type="Edm.String" Nullable="false" MaxLength="10"/>
        <Property Name="Name" Type="Edm.String" MaxLength="80"/>
        <NavigationProperty Name="Orders" Relationship="ZSALES_SRV.Assoc_Customer_Orders" FromRole="FromRole_Customer" ToRole="ToRole_Orders"/>
      </EntityType>
      <EntityType Name="Attachment" m:HasStream="true">
        <Key><PropertyRef Name="DocID"/></Key>
        <Property Name="DocID" Type="Edm.Guid" Nullable="false"/>
      </EntityType>
      <ComplexType Name="Price">
        <Property Name="Amount" Type="Edm.Decimal" Precision="16" Scale="3"/>
      </ComplexType>
      <Association Name="Assoc_Order_Items" sap:content-version="1">
        <End Type="ZSALES_SRV.SalesOrder" Multiplicity="1" Role="FromRole_Order"/>
        <End Type="ZSALES_SRV.SalesOrderItem" Multiplicity="*" Role="ToRole_Items"/>
        <ReferentialConstraint>
          <Principal Role="FromRole_Order"><PropertyRef Name="OrderID"/></Principal>
          <Dependent Role="ToRole_Items"><PropertyRef Name="OrderID"/></Dependent>
        </ReferentialConstraint>
      </Association>
      <Association Name="Assoc_Customer_Orders">
        <End Type="ZSALES_SRV.Customer" Multiplicity="0..1" Role="FromRole_Customer"/>
        <End Type="ZSALES_SRV.SalesOrder" Multiplicity="*" Role="ToRole_Orders"/>
        <ReferentialConstraint>
          <Principal Role="FromRole_Customer"><PropertyRef Name="CustomerID"/></Principal>
          <Dependent Role="ToRole_Orders"><PropertyRef Name="CustomerID"/></Dependent>
        </ReferentialConstraint>
      </Association>
      <EntityContainer Name="ZSALES_SRV_Entities" m:IsDefaultEntityContainer="true" sap:supported-formats="atom json xlsx">
        <EntitySet Name="SalesOrderSet" EntityType="ZSALES_SRV.SalesOrder" sap:creatable="false" sap:deletable="false" sap:pageable="false" sap:countable="false" sap:content-version="1"/>
        <EntitySet Name="SalesOrderItemSet" EntityType="ZSALES_SRV.SalesOrderItem" sap:searchable="true"/>
        <EntitySet Name="CustomerSet" EntityType="ZSALES_SRV.Customer"/>
        <EntitySet Name="AttachmentSet" EntityType="ZSALES_SRV.Attachment"/>
        <AssociationSet Name="Assoc_Order_Items_Set" Association="ZSALES_SRV.Assoc_Order_Items" sap:creatable="false">
          <End EntitySet="SalesOrderSet" Role="FromRole_Order"/>
          <End EntitySet="SalesOrderItemSet" Role="ToRole_Items"/>
        </AssociationSet>
        <AssociationSet Name="Assoc_Customer_Orders_Set" Association="ZSALES_SRV.Assoc_Customer_Orders">
          <End EntitySet="CustomerSet" Role="FromRole_Customer"/>
          <End EntitySet="SalesOrderSet" Role="ToRole_Orders"/>
        </AssociationSet>
        <FunctionImport Name="ConfirmOrder" ReturnType="ZSALES_SRV.SalesOrder" EntitySet="SalesOrderSet" m:HttpMethod="POST" sap:action-for="ZSALES_SRV.SalesOrder">
          <Parameter Name="OrderID" Type="Edm.String" Mode="In" MaxLength="10"/>
        </FunctionImport>
        <FunctionImport Name="OpenOrders" ReturnType="Collection(ZSALES_SRV.SalesOrder)" EntitySet="SalesOrderSet" m:HttpMethod="GET">
          <Parameter Name="CustomerID" Type="Edm.String" Mode="In" Nullable="true"/>
        </FunctionImport>
        <FunctionImport Name="TotalOf" ReturnType="ZSALES_SRV.Price">
          <Parameter Name="OrderID" Type="Edm.String" Mode="In"/>
        </FunctionImport>
      </EntityContainer>
      <Annotations Target="ZSALES_SRV.SalesOrder/Note" xmlns="http://docs.oasis-open.org/odata/ns/edm">
        <Annotation Term="Org.OData.Core.V1.Description" String="Free text"/>
      </Annotations>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/** A v2 document of the oldest vintage (CSDL 2006/04, DataServiceVersion 1.0). */
export const V1_EDMX = `<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
  <edmx:DataServices m:DataServiceVersion="1.0">
    <Schema Namespace="Legacy" xmlns="http://schemas.microsoft.com/ado/2006/04/edm">
      <EntityType Name="Region"><Key><PropertyRef Name="RegionID"/></Key><Property Name="RegionID" Type="Edm.Int32" Nullable="false"/></EntityType>
      <EntityContainer Name="LegacyEntities" m:IsDefaultEntityContainer="true"><EntitySet Name="Regions" EntityType="Legacy.Region"/></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/** CSDL JSON (OData 4.01) of a part of {@link V4_EDMX}, with its own defaults and annotation forms. */
export const CSDL_JSON = {
  $Version: "4.01",
  $EntityContainer: "Shop.Default",
  $Reference: {
    "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.json": {
      $Include: [{ $Namespace: "Org.OData.Core.V1", $Alias: "C" }],
    },
    "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.json": {
      $Include: [{ $Namespace: "Org.OData.Capabilities.V1", $Alias: "Cap" }],
    },
  },
  "Shop.Model": {
    $Alias: "Shop",
    Item: {
      $Kind: "EntityType",
      $Abstract: true,
      $Key: ["ID"],
      ID: { $Type: "Edm.Int64" },
      ETag: { $Nullable: true, $MaxLength: 40, "@C.Computed": true },
    },
    Book: {
      $Kind: "EntityType",
      $BaseType: "Shop.Item",
      $OpenType: true,
      "@C.Description": "A book in the catalogue",
      Title: {},
      Price: { $Type: "Edm.Decimal", $Nullable: true, $Precision: 9, $Scale: 2 },
      Tags: { $Type: "Edm.String", $Collection: true, $Nullable: true },
      Author: { $Kind: "NavigationProperty", $Type: "Shop.Author", $Partner: "Books", $ReferentialConstraint: { AuthorID: "ID" } },
      Chapters: { $Kind: "NavigationProperty", $Type: "Shop.Chapter", $Collection: true, $ContainsTarget: true, $OnDelete: "Cascade" },
      AuthorID: { $Type: "Edm.Int64", $Nullable: true },
    },
    Author: {
      $Kind: "EntityType",
      $Key: ["ID"],
      ID: { $Type: "Edm.Int64" },
      Books: { $Kind: "NavigationProperty", $Type: "Shop.Book", $Collection: true, $Partner: "Author" },
    },
    Chapter: { $Kind: "EntityType", $Key: [{ Number: "Home/Number" }], Home: { $Type: "Shop.Position" } },
    Position: { $Kind: "ComplexType", Number: { $Type: "Edm.Int32" } },
    Format: { $Kind: "EnumType", $UnderlyingType: "Edm.Byte", Paper: 0, Ebook: 1, Audio: 7, "Audio@C.Description": "Read aloud" },
    Isbn: { $Kind: "TypeDefinition", $UnderlyingType: "Edm.String", $MaxLength: 17 },
    Restock: [
      {
        $Kind: "Action",
        $IsBound: true,
        $Parameter: [{ $Name: "book", $Type: "Shop.Book" }, { $Name: "quantity", $Type: "Edm.Int32" }],
        $ReturnType: { $Type: "Edm.Int32" },
      },
      {
        $Kind: "Action",
        $IsBound: true,
        $Parameter: [{ $Name: "books", $Type: "Shop.Book", $Collection: true }, { $Name: "quantity", $Type: "Edm.Int32" }],
      },
    ],
    Search: [
      { $Kind: "Function", $IsComposable: true, $Parameter: [{ $Name: "text", $Nullable: true }], $ReturnType: { $Type: "Shop.Book", $Collection: true } },
    ],
    Default: {
      $Kind: "EntityContainer",
      Books: { $Collection: true, $Type: "Shop.Book", $NavigationPropertyBinding: { Author: "Authors" }, "@Cap.TopSupported": false },
      Authors: { $Collection: true, $Type: "Shop.Author", $IncludeInServiceDocument: false },
      Bestseller: { $Type: "Shop.Book" },
      ResetAll: { $Action: "Shop.ResetAll" },
      Search: { $Function: "Shop.Search", $EntitySet: "Books", $IncludeInServiceDocument: true },
    },
    $Annotations: {
      "Shop.Default/Books": {
        "@C.OptimisticConcurrency": ["ETag"],
        "@Cap.InsertRestrictions": { Insertable: false, NonInsertableNavigationProperties: ["Author"] },
      },
      "Shop.Book/Title": { "@Org.OData.Core.V1.Description": "The title on the cover", "@C.Description#short": "Title" },
      "Shop.Restock(Collection(Shop.Book))/quantity": { "@C.Description": "Copies added to each book" },
    },
  },
};

/**
 * An SAP Gateway OData v2 document as SAP's servers write it: the root's `edmx` prefix is bound to
 * the v2 EDMX namespace, each `edmx:Reference` rebinds it to the v4 one, and the v4 annotations in
 * the v2 schema use the include aliases (`SAP__core`, `SAP__common`, `Common` twice for one
 * namespace).
 */
export const SAP_V2_EDMX = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:sap="http://www.sap.com/Protocols/SAPData">
  <edmx:Reference xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Uri="/sap/opu/odata/IWFND/CATALOGSERVICE;v=2/Vocabularies(TechnicalName='%2FIWBEP%2FVOC_COMMON',Version='0001',SAP__Origin='LOCAL')/$value">
    <edmx:Include Namespace="com.sap.vocabularies.Common.v1" Alias="Common"/>
    <edmx:Include Namespace="com.sap.vocabularies.Common.v1" Alias="SAP__common"/>
  </edmx:Reference>
  <edmx:Reference xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Uri="/sap/opu/odata/IWFND/CATALOGSERVICE;v=2/Vocabularies(TechnicalName='%2FIWBEP%2FVOC_CORE',Version='0001',SAP__Origin='LOCAL')/$value">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="SAP__core"/>
  </edmx:Reference>
  <edmx:DataServices m:DataServiceVersion="2.0">
    <Schema Namespace="ZTRAVEL_SRV" xml:lang="en" sap:schema-version="1" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
      <EntityType Name="TravelType" sap:content-version="1">
        <Key><PropertyRef Name="TravelID"/></Key>
        <Property Name="TravelID" Type="Edm.String" Nullable="false" MaxLength="8" sap:label="Travel"/>
        <Property Name="Status" Type="Edm.String" MaxLength="1"/>
        <Property Name="ChangedAt" Type="Edm.DateTimeOffset" Precision="7" ConcurrencyMode="Fixed"/>
      </EntityType>
      <EntityContainer Name="ZTRAVEL_SRV_Entities" m:IsDefaultEntityContainer="true">
        <EntitySet Name="Travel" EntityType="ZTRAVEL_SRV.TravelType" sap:content-version="1"/>
      </EntityContainer>
      <Annotations Target="ZTRAVEL_SRV.ZTRAVEL_SRV_Entities/Travel" xmlns="http://docs.oasis-open.org/odata/ns/edm">
        <Annotation Term="SAP__core.OptimisticConcurrency"><Collection/></Annotation>
      </Annotations>
      <Annotations Target="ZTRAVEL_SRV.TravelType/Status" xmlns="http://docs.oasis-open.org/odata/ns/edm">
        <Annotation Term="SAP__common.Label" String="Travel status"/>
        <Annotation Term="Common.ValueListWithFixedValues"/>
      </Annotations>
      <atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="self" href="https://host/sap/opu/odata/sap/ZTRAVEL_SRV/$metadata"/>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/**
 * An OData v3 document (CSDL 3.0, DataServiceVersion 3.0) whose function imports are actions and
 * functions in the v3 sense: no `m:HttpMethod`, `IsSideEffecting` (default true) and `IsBindable`
 * instead; beside them one service operation of the v1/v2 kind with `m:HttpMethod`.
 */
export const V3_EDMX = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx">
  <edmx:DataServices m:DataServiceVersion="3.0" m:MaxDataServiceVersion="3.0" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
    <Schema Namespace="Store" xmlns="http://schemas.microsoft.com/ado/2009/11/edm">
      <EntityType Name="Order">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int32" Nullable="false"/>
        <Property Name="Total" Type="Edm.Decimal" Precision="12" Scale="2"/>
      </EntityType>
      <EntityContainer Name="StoreContainer" m:IsDefaultEntityContainer="true">
        <EntitySet Name="Orders" EntityType="Store.Order"/>
        <FunctionImport Name="Recalculate" ReturnType="Edm.Int32"/>
        <FunctionImport Name="TopOrders" ReturnType="Collection(Store.Order)" EntitySet="Orders" IsSideEffecting="false" IsComposable="true">
          <Parameter Name="count" Type="Edm.Int32" Nullable="false"/>
        </FunctionImport>
        <FunctionImport Name="TopOrders" ReturnType="Collection(Store.Order)" EntitySet="Orders" IsSideEffecting="false">
          <Parameter Name="count" Type="Edm.Int32" Nullable="false"/>
          <Parameter Name="since" Type="Edm.DateTime"/>
        </FunctionImport>
        <FunctionImport Name="Approve" IsBindable="true" m:IsAlwaysBindable="true">
          <Parameter Name="order" Type="Store.Order"/>
          <Parameter Name="note" Type="Edm.String"/>
        </FunctionImport>
        <FunctionImport Name="Discount" IsBindable="true" IsSideEffecting="false">
          <Parameter Name="order" Type="Store.Order"/>
          <ReturnType Type="Edm.Decimal" Precision="12" Scale="2"/>
        </FunctionImport>
        <FunctionImport Name="ArchiveAll" IsBindable="true" ReturnType="Collection(Store.Order)">
          <Parameter Name="orders" Type="Collection(Store.Order)"/>
        </FunctionImport>
        <FunctionImport Name="LegacyCount" ReturnType="Edm.Int32" m:HttpMethod="GET"/>
        <FunctionImport Name="LegacyPurge" m:HttpMethod="POST"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/** The `BAD_METADATA` error `run` throws (fails the test when it throws another or none). */
export function badMetadata(run: () => unknown): ODataClientError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ODataClientError, `expected an ODataClientError, got ${String(error)}`);
    assert.equal(error.code, "BAD_METADATA");
    return error;
  }
  assert.fail("expected BAD_METADATA");
}
