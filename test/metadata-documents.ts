// EDMX documents written for test/metadata.test.ts to check that one service reads into the same
// model from its XML and from its CSDL JSON form (the JSON made from the XML at test time by the
// OASIS reference converter `odata-csdl`). Between them they use every CSDL construct the model
// keeps: references with includes and aliases, type definitions, enumerations (flags too),
// complex, abstract and open types, inheritance, containment, keys with aliases, bound and unbound
// actions and functions with overloads, singletons, navigation property bindings of every form,
// facets and their defaults, annotations with every expression kind, nested annotations,
// qualifiers, and `Annotations` blocks aimed at every kind of target.
//
// A few places are written the way the converter keeps them, because it rewrites or drops them in
// its JSON and so the JSON would no longer describe the same service:
// - collection-valued properties, parameters and return types say Nullable (the XML spec gives no
//   default; the converter writes none, which in JSON means false);
// - Edm.Duration and Edm.TimeOfDay values say Precision (the converter applies the XML default of
//   0 only to Edm.DateTimeOffset);
// - enumeration members inside collections and operators are avoided (the converter writes them as
//   Cast expressions), and so are annotations inside LabeledElement and UrlRef (it drops them);
// - model paths (PropertyPath and the like) write qualified names in the alias form where an alias
//   exists: CSDL JSON keeps such paths as plain strings, which a reader cannot tell from text, and
//   the converter rewrites them to the alias form.

/**
 * An OData 4.01 catalogue service: one schema with an alias, a second schema without one, four
 * references, and annotations of every expression kind.
 */
export const CATALOG_EDMX = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.01" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="Core"/>
  </edmx:Reference>
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml">
    <edmx:Include Namespace="Org.OData.Capabilities.V1" Alias="Cap"/>
  </edmx:Reference>
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Measures.V1.xml">
    <edmx:Include Namespace="Org.OData.Measures.V1"/>
  </edmx:Reference>
  <edmx:Reference Uri="https://example.org/odata/warehouse/$metadata">
    <edmx:Include Namespace="Example.Warehouse" Alias="WH"/>
    <edmx:IncludeAnnotations TermNamespace="Org.OData.Core.V1" Qualifier="Tablet"/>
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="Example.Catalog" Alias="self" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <Annotation Term="Core.Description" String="The catalogue"/>
      <Term Name="Rating" Type="Edm.Int32" Nullable="false" AppliesTo="EntityType Property"/>

      <TypeDefinition Name="Sku" UnderlyingType="Edm.String" MaxLength="20" Unicode="false">
        <Annotation Term="Core.Description" String="Stock keeping unit"/>
      </TypeDefinition>
      <TypeDefinition Name="Money" UnderlyingType="Edm.Decimal" Precision="12"/>
      <TypeDefinition Name="Share" UnderlyingType="Edm.Decimal" Precision="5" Scale="variable"/>
      <TypeDefinition Name="Measurement" UnderlyingType="Edm.Decimal" Precision="16" Scale="floating"/>
      <TypeDefinition Name="Checksum" UnderlyingType="Edm.Binary" MaxLength="32"/>

      <EnumType Name="Color">
        <Member Name="Red"/>
        <Member Name="Green"/>
        <Member Name="Blue">
          <Annotation Term="Core.Description" String="Like the sky"/>
        </Member>
      </EnumType>
      <EnumType Name="Access" UnderlyingType="Edm.Int64" IsFlags="true">
        <Member Name="None" Value="0"/>
        <Member Name="Read" Value="1"/>
        <Member Name="Write" Value="2"/>
        <Member Name="Admin" Value="4"/>
      </EnumType>

      <ComplexType Name="Position">
        <Property Name="Number" Type="Edm.Int32" Nullable="false"/>
      </ComplexType>
      <ComplexType Name="Address" OpenType="true">
        <Property Name="Street" Type="Edm.String" MaxLength="80"/>
        <Property Name="City" Type="Edm.String" Nullable="false"/>
        <Property Name="Location" Type="Edm.GeographyPoint" SRID="4326"/>
        <Property Name="Outline" Type="Edm.GeometryPolygon" SRID="variable"/>
        <NavigationProperty Name="Region" Type="self.Region"/>
      </ComplexType>
      <ComplexType Name="Dimension" Abstract="true">
        <Property Name="Unit" Type="Edm.String" Nullable="false" DefaultValue="cm"/>
      </ComplexType>
      <ComplexType Name="BoxDimension" BaseType="self.Dimension">
        <Property Name="Width" Type="Edm.Decimal" Precision="9" Scale="3"/>
        <Property Name="Height" Type="Edm.Decimal" Precision="9" Scale="3"/>
      </ComplexType>

      <EntityType Name="Resource" Abstract="true">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int64" Nullable="false"/>
        <Property Name="CreatedAt" Type="Edm.DateTimeOffset" Nullable="false">
          <Annotation Term="Core.Computed"/>
        </Property>
        <Property Name="ChangedAt" Type="Edm.DateTimeOffset" Precision="7">
          <Annotation Term="Core.Computed" Bool="true"/>
        </Property>
      </EntityType>
      <EntityType Name="Product" BaseType="self.Resource" OpenType="true">
        <Annotation Term="Core.Description">
          <String>A product
  on two lines, kept as written  </String>
        </Annotation>
        <Property Name="Name" Type="Edm.String" Nullable="false" MaxLength="100"/>
        <Property Name="Sku" Type="self.Sku"/>
        <Property Name="Price" Type="Edm.Decimal" Precision="10"/>
        <Property Name="Discount" Type="Edm.Decimal" Scale="variable"/>
        <Property Name="Weight" Type="Edm.Decimal" Precision="7" Scale="floating"/>
        <Property Name="Exact" Type="Edm.Decimal" Precision="20" Scale="4" DefaultValue="2.5"/>
        <Property Name="Currency" Type="Edm.String" MaxLength="3" DefaultValue="EUR"/>
        <Property Name="Stock" Type="Edm.Int32" DefaultValue="42"/>
        <Property Name="Active" Type="Edm.Boolean" DefaultValue="true"/>
        <Property Name="Color" Type="self.Color" DefaultValue="Red"/>
        <Property Name="Access" Type="self.Access"/>
        <Property Name="Tags" Type="Collection(Edm.String)" Nullable="false" MaxLength="30"/>
        <Property Name="Sizes" Type="Collection(self.BoxDimension)" Nullable="true"/>
        <Property Name="ShelfLife" Type="Edm.Duration" Precision="3"/>
        <Property Name="OpensAt" Type="Edm.TimeOfDay" Precision="0"/>
        <Property Name="ReleasedOn" Type="Edm.Date"/>
        <Property Name="Code" Type="Edm.Guid" Nullable="false"/>
        <Property Name="Ratio" Type="Edm.Double"/>
        <Property Name="Small" Type="Edm.Single"/>
        <Property Name="Flag" Type="Edm.Byte"/>
        <Property Name="Signed" Type="Edm.SByte"/>
        <Property Name="Short" Type="Edm.Int16"/>
        <Property Name="Picture" Type="Edm.Stream"/>
        <Property Name="Extra" Type="Edm.Untyped"/>
        <Property Name="Shipping" Type="self.Address"/>
        <Property Name="CategoryID" Type="Edm.Int64"/>
        <NavigationProperty Name="Category" Type="self.Category" Nullable="false" Partner="Products">
          <ReferentialConstraint Property="CategoryID" ReferencedProperty="ID">
            <Annotation Term="Core.Description" String="The category key"/>
          </ReferentialConstraint>
        </NavigationProperty>
        <NavigationProperty Name="Supplier" Type="self.Supplier">
          <OnDelete Action="SetNull"/>
        </NavigationProperty>
        <NavigationProperty Name="Reviews" Type="Collection(self.Review)" ContainsTarget="true">
          <OnDelete Action="Cascade"/>
          <Annotation Term="Core.Description" String="Reviews live inside their product"/>
        </NavigationProperty>
        <NavigationProperty Name="Related" Type="Collection(Example.Catalog.Product)"/>
        <NavigationProperty Name="Stored" Type="WH.Bin"/>
      </EntityType>
      <EntityType Name="DigitalProduct" BaseType="Example.Catalog.Product">
        <Property Name="DownloadSize" Type="Edm.Int64"/>
        <NavigationProperty Name="Files" Type="Collection(self.File)" ContainsTarget="true"/>
      </EntityType>
      <EntityType Name="File" HasStream="true">
        <Key><PropertyRef Name="Name"/></Key>
        <Property Name="Name" Type="Edm.String" Nullable="false"/>
        <Property Name="Checksum" Type="self.Checksum"/>
      </EntityType>
      <EntityType Name="Review">
        <Key><PropertyRef Name="Position/Number" Alias="Number"/></Key>
        <Property Name="Position" Type="self.Position" Nullable="false"/>
        <Property Name="Stars" Type="Edm.Byte" Nullable="false"/>
        <Property Name="Text" Type="Edm.String"/>
      </EntityType>
      <EntityType Name="Category">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int64" Nullable="false"/>
        <Property Name="Name" Type="Edm.String"/>
        <NavigationProperty Name="Products" Type="Collection(self.Product)" Partner="Category"/>
        <NavigationProperty Name="Parent" Type="self.Category"/>
      </EntityType>
      <EntityType Name="Supplier">
        <Key><PropertyRef Name="ID"/><PropertyRef Name="Country"/></Key>
        <Property Name="ID" Type="Edm.String" Nullable="false"/>
        <Property Name="Country" Type="Edm.String" Nullable="false" MaxLength="2"/>
        <Property Name="Address" Type="self.Address" Nullable="false"/>
      </EntityType>
      <EntityType Name="Region">
        <Key><PropertyRef Name="Code"/></Key>
        <Property Name="Code" Type="Edm.String" Nullable="false"/>
      </EntityType>
      <EntityType Name="Settings">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int32" Nullable="false"/>
        <NavigationProperty Name="Highlights" Type="Collection(self.Product)" ContainsTarget="true"/>
      </EntityType>

      <Action Name="Restock" IsBound="true" EntitySetPath="product">
        <Parameter Name="product" Type="self.Product" Nullable="false"/>
        <Parameter Name="quantity" Type="Edm.Int32" Nullable="false"/>
        <ReturnType Type="self.Product" Nullable="false"/>
      </Action>
      <Action Name="Discontinue" IsBound="true">
        <Parameter Name="product" Type="self.Product" Nullable="false"/>
      </Action>
      <Action Name="Restock" IsBound="true">
        <Parameter Name="products" Type="Collection(self.Product)" Nullable="false"/>
        <Parameter Name="quantity" Type="Edm.Int32" Nullable="false"/>
        <Parameter Name="price" Type="Edm.Decimal" Precision="10"/>
      </Action>
      <Action Name="Restock">
        <Parameter Name="sku" Type="self.Sku" Nullable="false"/>
        <Parameter Name="quantity" Type="Edm.Int32" Nullable="false"/>
        <ReturnType Type="Collection(self.Product)" Nullable="false"/>
      </Action>
      <Action Name="Reset"/>
      <Function Name="Search" IsComposable="true">
        <Parameter Name="text" Type="Edm.String" Nullable="false"/>
        <ReturnType Type="Collection(self.Product)" Nullable="false"/>
      </Function>
      <Function Name="Search">
        <Parameter Name="text" Type="Edm.String" Nullable="false"/>
        <Parameter Name="limit" Type="Edm.Int32"/>
        <ReturnType Type="Collection(self.Product)" Nullable="false"/>
      </Function>
      <Function Name="PriceIn" IsBound="true" IsComposable="false" EntitySetPath="product/Category">
        <Parameter Name="product" Type="self.Product" Nullable="false"/>
        <Parameter Name="currency" Type="Edm.String" Nullable="false" MaxLength="3"/>
        <ReturnType Type="Edm.Decimal" Precision="10"/>
      </Function>
      <Function Name="Totals" IsBound="true">
        <Parameter Name="products" Type="Collection(self.Product)" Nullable="false"/>
        <Parameter Name="since" Type="Edm.DateTimeOffset"/>
        <ReturnType Type="Collection(Edm.Decimal)" Nullable="false" Precision="12" Scale="2"/>
      </Function>

      <EntityContainer Name="Container">
        <Annotation Term="Core.Permissions" EnumMember="Core.Permission/Read Core.Permission/Write"/>
        <EntitySet Name="Products" EntityType="self.Product">
          <NavigationPropertyBinding Path="Category" Target="Categories"/>
          <NavigationPropertyBinding Path="Supplier" Target="self.Container/Suppliers"/>
          <NavigationPropertyBinding Path="Related" Target="Example.Catalog.Container/Products"/>
          <NavigationPropertyBinding Path="Stored" Target="WH.Stores/Bins"/>
          <NavigationPropertyBinding Path="Shipping/Region" Target="Regions"/>
          <NavigationPropertyBinding Path="self.DigitalProduct/Related/Example.Catalog.DigitalProduct" Target="Example.Catalog.Container/Products"/>
          <Annotation Term="Cap.InsertRestrictions">
            <Record Type="Cap.InsertRestrictionsType">
              <PropertyValue Property="Insertable" Bool="true"/>
              <PropertyValue Property="NonInsertableNavigationProperties">
                <Collection>
                  <NavigationPropertyPath>Category</NavigationPropertyPath>
                  <NavigationPropertyPath>Reviews</NavigationPropertyPath>
                </Collection>
              </PropertyValue>
            </Record>
          </Annotation>
        </EntitySet>
        <EntitySet Name="Categories" EntityType="self.Category" IncludeInServiceDocument="false">
          <NavigationPropertyBinding Path="Products" Target="Products"/>
          <NavigationPropertyBinding Path="Parent" Target="Categories"/>
        </EntitySet>
        <EntitySet Name="Suppliers" EntityType="self.Supplier">
          <NavigationPropertyBinding Path="Address/Region" Target="Example.Catalog.Container/Regions"/>
        </EntitySet>
        <EntitySet Name="Regions" EntityType="self.Region"/>
        <Singleton Name="Settings" Type="self.Settings">
          <NavigationPropertyBinding Path="Highlights/Category" Target="Categories"/>
        </Singleton>
        <Singleton Name="Bestseller" Type="self.Product" Nullable="true">
          <NavigationPropertyBinding Path="Category" Target="self.Container/Categories"/>
        </Singleton>
        <ActionImport Name="RestockBySku" Action="self.Restock" EntitySet="self.Container/Products"/>
        <ActionImport Name="Reset" Action="Example.Catalog.Reset"/>
        <FunctionImport Name="Search" Function="self.Search" EntitySet="Products" IncludeInServiceDocument="true"/>
        <FunctionImport Name="SearchElsewhere" Function="self.Search" EntitySet="WH.Stores/Products"/>
      </EntityContainer>

      <Annotations Target="self.Product">
        <Annotation Term="Core.LongDescription" String="line one&#xD;&#xA;line two&#xA;line three"/>
        <Annotation Term="Core.Example">
          <Record>
            <PropertyValue Property="Binary" Binary="T0RhdGE"/>
            <PropertyValue Property="BinaryElement"><Binary>T0RhdGE</Binary></PropertyValue>
            <PropertyValue Property="Bool" Bool="false"/>
            <PropertyValue Property="BoolElement"><Bool>true</Bool></PropertyValue>
            <PropertyValue Property="Date" Date="2000-01-01"/>
            <PropertyValue Property="DateElement"><Date>2000-01-01</Date></PropertyValue>
            <PropertyValue Property="DateTimeOffset" DateTimeOffset="2000-01-01T16:00:00.000Z"/>
            <PropertyValue Property="DateTimeOffsetElement"><DateTimeOffset>2000-01-01T16:00:00.000-09:00</DateTimeOffset></PropertyValue>
            <PropertyValue Property="Decimal" Decimal="3.14"/>
            <PropertyValue Property="DecimalElement"><Decimal>-0.5</Decimal></PropertyValue>
            <PropertyValue Property="DecimalExponent" Decimal="1e5"/>
            <PropertyValue Property="DecimalLong" Decimal="12345678901234567890.5"/>
            <PropertyValue Property="Duration" Duration="P7D"/>
            <PropertyValue Property="DurationElement"><Duration>P11DT23H59M59.999999999999S</Duration></PropertyValue>
            <PropertyValue Property="EnumMember" EnumMember="self.Color/Blue"/>
            <PropertyValue Property="EnumMemberElement"><EnumMember>self.Access/Read self.Access/Write</EnumMember></PropertyValue>
            <PropertyValue Property="Float" Float="3.5"/>
            <PropertyValue Property="FloatElement"><Float>INF</Float></PropertyValue>
            <PropertyValue Property="FloatNaN" Float="NaN"/>
            <PropertyValue Property="Guid" Guid="21EC2020-3AEA-1069-A2DD-08002B30309D"/>
            <PropertyValue Property="GuidElement"><Guid>21EC2020-3AEA-1069-A2DD-08002B30309D</Guid></PropertyValue>
            <PropertyValue Property="Int" Int="42"/>
            <PropertyValue Property="IntElement"><Int>-7</Int></PropertyValue>
            <PropertyValue Property="IntLarge" Int="9007199254740993"/>
            <PropertyValue Property="String" String="  spaced  "/>
            <PropertyValue Property="StringElement"><String>
    indented text
  </String></PropertyValue>
            <PropertyValue Property="StringEmpty"><String/></PropertyValue>
            <PropertyValue Property="StringEscaped" String="a &lt;b&gt; &amp; &quot;c&quot; &#x263A;"/>
            <PropertyValue Property="TimeOfDay" TimeOfDay="21:45:00"/>
            <PropertyValue Property="TimeOfDayElement"><TimeOfDay>21:45:00.123</TimeOfDay></PropertyValue>
          </Record>
        </Annotation>
        <Annotation Term="Core.Links" Qualifier="paths">
          <Record>
            <PropertyValue Property="AnnotationPath" AnnotationPath="Category/@Core.Description"/>
            <PropertyValue Property="AnnotationPathElement"><AnnotationPath>@Cap.InsertRestrictions</AnnotationPath></PropertyValue>
            <PropertyValue Property="ModelElementPath" ModelElementPath="/self.Container/Products"/>
            <PropertyValue Property="ModelElementPathElement"><ModelElementPath>/self.Restock</ModelElementPath></PropertyValue>
            <PropertyValue Property="NavigationPropertyPath" NavigationPropertyPath="Category"/>
            <PropertyValue Property="NavigationPropertyPathElement"><NavigationPropertyPath>self.DigitalProduct/Files</NavigationPropertyPath></PropertyValue>
            <PropertyValue Property="PropertyPath" PropertyPath="Name"/>
            <PropertyValue Property="PropertyPathElement"><PropertyPath>Shipping/City</PropertyPath></PropertyValue>
            <PropertyValue Property="Path" Path="Name"/>
            <PropertyValue Property="PathCast" Path="Example.Catalog.DigitalProduct/DownloadSize"/>
            <PropertyValue Property="PathTerm"><Path>self.DigitalProduct/@Core.Description</Path></PropertyValue>
            <PropertyValue Property="PathElement"><Path>Category/Name</Path></PropertyValue>
          </Record>
        </Annotation>
        <Annotation Term="Core.Operators" Qualifier="logic">
          <Collection>
            <And><Path>Active</Path><Not><Path>Discontinued</Path></Not></And>
            <Or><Path>Active</Path><Bool>false</Bool></Or>
            <Eq><Null/><Path>Name</Path></Eq>
            <Ne><Path>Name</Path><String>x</String></Ne>
            <Gt><Path>Price</Path><Int>20</Int></Gt>
            <Ge><Path>Price</Path><Decimal>10.5</Decimal></Ge>
            <Lt><Path>Stock</Path><Int>5</Int></Lt>
            <Le><Path>Stock</Path><Int>100</Int></Le>
            <Has><Path>Access</Path><Cast Type="self.Access"><String>Read</String></Cast></Has>
            <In><Path>Currency</Path><Collection><String>EUR</String><String>USD</String></Collection></In>
          </Collection>
        </Annotation>
        <Annotation Term="Core.Operators" Qualifier="arithmetic">
          <Collection>
            <Add><Path>Price</Path><Path>Exact</Path></Add>
            <Sub><Path>Price</Path><Int>1</Int></Sub>
            <Neg><Path>Price</Path></Neg>
            <Mul><Path>Price</Path><Float>1.19</Float></Mul>
            <Div><Path>Stock</Path><Int>12</Int></Div>
            <DivBy><Path>Stock</Path><Int>12</Int></DivBy>
            <Mod><Path>Stock</Path><Int>12</Int></Mod>
          </Collection>
        </Annotation>
        <Annotation Term="Core.Computed" Qualifier="dynamic">
          <If>
            <IsOf Type="self.DigitalProduct"><Path>$It</Path></IsOf>
            <Cast Type="Edm.Decimal" Precision="10" Scale="2"><Path>Price</Path></Cast>
            <Cast Type="Collection(Edm.String)" MaxLength="10"><Path>Tags</Path></Cast>
          </If>
        </Annotation>
        <Annotation Term="Core.Description" Qualifier="cast">
          <Cast Type="Edm.String"><Path>Code</Path></Cast>
        </Annotation>
        <Annotation Term="Core.Description" Qualifier="apply">
          <Apply Function="odata.concat">
            <String>Product: </String>
            <Apply Function="odata.concat">
              <Path>Name</Path>
              <String> (</String>
              <Path>Currency</Path>
              <String>)</String>
            </Apply>
          </Apply>
        </Annotation>
        <Annotation Term="Core.Description" Qualifier="labeled">
          <LabeledElement Name="ProductName" Path="Name"/>
        </Annotation>
        <Annotation Term="Core.Description" Qualifier="labeledElement">
          <LabeledElement Name="ProductCode">
            <Apply Function="odata.concat"><String>P-</String><Path>Code</Path></Apply>
          </LabeledElement>
        </Annotation>
        <Annotation Term="Core.Description" Qualifier="reference">
          <LabeledElementReference>self.ProductName</LabeledElementReference>
        </Annotation>
        <Annotation Term="Core.Description" Qualifier="null">
          <Null/>
        </Annotation>
        <Annotation Term="Core.Description" Qualifier="annotatedNull">
          <Null>
            <Annotation Term="Core.Description" String="Not told"/>
          </Null>
        </Annotation>
        <Annotation Term="Core.Description" Qualifier="url" UrlRef="https://example.org/products/help"/>
        <Annotation Term="Core.Description" Qualifier="urlElement">
          <UrlRef>
            <Apply Function="odata.fillUriTemplate">
              <String>https://example.org/products/{id}/help</String>
              <LabeledElement Name="id">
                <Apply Function="odata.uriEncode"><Path>ID</Path></Apply>
              </LabeledElement>
            </Apply>
          </UrlRef>
        </Annotation>
        <Annotation Term="Core.Description" Qualifier="match">
          <Apply Function="odata.matchesPattern">
            <Path>Name</Path>
            <String>^[A-Z]</String>
            <Annotation Term="Core.Description" String="Names start with a capital"/>
          </Apply>
        </Annotation>
        <Annotation Term="Core.Description" Qualifier="nested">
          <If>
            <Eq>
              <Path>Color</Path>
              <String>Red</String>
              <Annotation Term="Core.Description" String="inside Eq"/>
            </Eq>
            <Cast Type="Edm.String">
              <String>red</String>
              <Annotation Term="Core.Description" String="inside Cast"/>
            </Cast>
            <Not>
              <Bool>true</Bool>
              <Annotation Term="Core.Description" String="inside Not"/>
            </Not>
            <Annotation Term="Core.Description" String="inside If"/>
          </If>
        </Annotation>
        <Annotation Term="Core.Description" Qualifier="isOf">
          <IsOf Type="Collection(self.Product)">
            <Path>Related</Path>
            <Annotation Term="Core.Description" String="inside IsOf"/>
          </IsOf>
        </Annotation>
        <Annotation Term="Core.Description" Qualifier="records">
          <Collection>
            <Record Type="self.Address">
              <Annotation Term="Core.Description" String="on the record"/>
              <PropertyValue Property="City" String="Walldorf">
                <Annotation Term="Core.Description" String="on the property value"/>
              </PropertyValue>
              <PropertyValue Property="Street"><Null/></PropertyValue>
            </Record>
            <Record Type="Example.Catalog.Address"/>
            <Record/>
            <If><Path>Active</Path><String>only when active</String></If>
          </Collection>
        </Annotation>
        <Annotation Term="Measures.ISOCurrency" Path="Currency"/>
        <Annotation Term="Cap.TopSupported" Bool="false"/>
      </Annotations>
      <Annotations Target="self.Product" Qualifier="Tablet">
        <Annotation Term="Core.Description" String="Product on a tablet"/>
        <Annotation Term="Cap.SearchRestrictions">
          <Record><PropertyValue Property="Searchable" Bool="false"/></Record>
        </Annotation>
      </Annotations>
      <Annotations Target="Example.Catalog.Product/Price">
        <Annotation Term="Measures.ISOCurrency" Path="Currency"/>
        <Annotation Term="self.Rating" Int="5"/>
      </Annotations>
      <Annotations Target="self.Product/Category">
        <Annotation Term="Core.Description" String="The category"/>
      </Annotations>
      <Annotations Target="self.Address">
        <Annotation Term="Core.Description" String="Where things go"/>
      </Annotations>
      <Annotations Target="self.Address/City">
        <Annotation Term="Core.Description" String="City name"/>
      </Annotations>
      <Annotations Target="self.Color">
        <Annotation Term="Core.Description" String="Colours"/>
      </Annotations>
      <Annotations Target="self.Color/Red">
        <Annotation Term="Core.Description" String="Like a rose"/>
      </Annotations>
      <Annotations Target="self.Money">
        <Annotation Term="Measures.ISOCurrency" String="EUR"/>
      </Annotations>
      <Annotations Target="self.Container">
        <Annotation Term="Core.Description" String="Everything the catalogue offers"/>
      </Annotations>
      <Annotations Target="Example.Catalog.Container/Products">
        <Annotation Term="Core.OptimisticConcurrency">
          <Collection><PropertyPath>ChangedAt</PropertyPath></Collection>
        </Annotation>
        <Annotation Term="Cap.FilterRestrictions">
          <Record>
            <PropertyValue Property="NonFilterableProperties">
              <Collection><PropertyPath>Tags</PropertyPath><PropertyPath>Shipping/Street</PropertyPath></Collection>
            </PropertyValue>
          </Record>
        </Annotation>
      </Annotations>
      <Annotations Target="self.Container/Settings">
        <Annotation Term="Core.Description" String="The one settings entity"/>
      </Annotations>
      <Annotations Target="self.Container/RestockBySku">
        <Annotation Term="Core.Description" String="Restock by SKU"/>
      </Annotations>
      <Annotations Target="self.Container/Search">
        <Annotation Term="Core.Description" String="Full-text search"/>
      </Annotations>
      <Annotations Target="self.Restock">
        <Annotation Term="Core.Description" String="Every Restock overload"/>
      </Annotations>
      <Annotations Target="self.Restock(Collection(self.Product))">
        <Annotation Term="Core.Description" String="The collection-bound overload" Qualifier="bound"/>
      </Annotations>
      <Annotations Target="self.Restock()">
        <Annotation Term="Core.Description" String="The unbound overload" Qualifier="unbound"/>
      </Annotations>
      <Annotations Target="self.Restock(self.Product)/quantity">
        <Annotation Term="Core.Description" String="How many to add"/>
      </Annotations>
      <Annotations Target="self.Search(Edm.String,Edm.Int32)">
        <Annotation Term="Core.Description" String="Search with a limit"/>
      </Annotations>
      <Annotations Target="self.Search(Edm.String, Edm.Int32)/limit">
        <Annotation Term="Core.Description" String="At most this many"/>
      </Annotations>
      <Annotations Target="self.Search/$ReturnType">
        <Annotation Term="Core.Description" String="The products found"/>
      </Annotations>
      <Annotations Target="self.Container/Products/Name">
        <Annotation Term="Core.Description" String="The name, within the Products set"/>
      </Annotations>
      <Annotations Target="self.Container/Search/text">
        <Annotation Term="Core.Description" String="What to search for"/>
      </Annotations>
      <Annotations Target="self.Product/@Core.Description">
        <Annotation Term="Core.Description" String="An annotation of an annotation"/>
      </Annotations>
      <Annotations Target="self.Rating">
        <Annotation Term="Core.Description" String="Stars from one to five"/>
      </Annotations>
      <Annotations Target="WH.Bin">
        <Annotation Term="Core.Description" String="A bin in another service"/>
      </Annotations>
    </Schema>
    <Schema Namespace="Example.Catalog.Extras" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Bundle" BaseType="self.Product">
        <NavigationProperty Name="Parts" Type="Collection(self.Product)"/>
      </EntityType>
      <Annotations Target="Example.Catalog.Extras.Bundle/Parts">
        <Annotation Term="Core.Description" String="Parts of the bundle"/>
      </Annotations>
      <Annotations Target="self.Supplier/Address">
        <Annotation Term="Core.Description" String="Annotated from another schema"/>
      </Annotations>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/**
 * An OData 4.0 sales service in the style of SAP's generated documents: SAP vocabularies under
 * aliases, typed records (which CSDL JSON 4.0 writes with `@odata.type`), qualifiers on
 * `Annotations` blocks, UI annotations with paths, and facets left to their defaults.
 */
export const SALES_EDMX = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://sap.github.io/odata-vocabularies/vocabularies/Common.xml">
    <edmx:Include Namespace="com.sap.vocabularies.Common.v1" Alias="SAP__common"/>
  </edmx:Reference>
  <edmx:Reference Uri="https://sap.github.io/odata-vocabularies/vocabularies/UI.xml">
    <edmx:Include Namespace="com.sap.vocabularies.UI.v1" Alias="SAP__UI"/>
  </edmx:Reference>
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="SAP__core"/>
  </edmx:Reference>
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml">
    <edmx:Include Namespace="Org.OData.Capabilities.V1" Alias="SAP__capabilities"/>
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="com.example.sales" Alias="SAP__self" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="SalesOrderType">
        <Key><PropertyRef Name="SalesOrder"/></Key>
        <Property Name="SalesOrder" Type="Edm.String" Nullable="false" MaxLength="10"/>
        <Property Name="GrossAmount" Type="Edm.Decimal" Precision="16"/>
        <Property Name="NetAmount" Type="Edm.Decimal" Precision="16" Scale="variable"/>
        <Property Name="TaxRate" Type="Edm.Decimal"/>
        <Property Name="Currency" Type="Edm.String" MaxLength="5"/>
        <Property Name="CreatedAt" Type="Edm.DateTimeOffset"/>
        <Property Name="LastChangedAt" Type="Edm.DateTimeOffset" Precision="7"/>
        <Property Name="Status" Type="Edm.String" MaxLength="1"/>
        <NavigationProperty Name="_Item" Type="Collection(com.example.sales.SalesOrderItemType)" Partner="_SalesOrder" ContainsTarget="true"/>
        <NavigationProperty Name="_Customer" Type="SAP__self.CustomerType">
          <ReferentialConstraint Property="SoldToParty" ReferencedProperty="Customer"/>
        </NavigationProperty>
        <Property Name="SoldToParty" Type="Edm.String" MaxLength="10"/>
      </EntityType>
      <EntityType Name="SalesOrderItemType">
        <Key><PropertyRef Name="SalesOrder"/><PropertyRef Name="Item"/></Key>
        <Property Name="SalesOrder" Type="Edm.String" Nullable="false" MaxLength="10"/>
        <Property Name="Item" Type="Edm.String" Nullable="false" MaxLength="6"/>
        <Property Name="Quantity" Type="Edm.Decimal" Precision="13" Scale="3"/>
        <NavigationProperty Name="_SalesOrder" Type="SAP__self.SalesOrderType" Nullable="false" Partner="_Item"/>
      </EntityType>
      <EntityType Name="CustomerType">
        <Key><PropertyRef Name="Customer"/></Key>
        <Property Name="Customer" Type="Edm.String" Nullable="false" MaxLength="10"/>
        <Property Name="Name" Type="Edm.String" MaxLength="80"/>
      </EntityType>
      <Action Name="Release" IsBound="true" EntitySetPath="_it">
        <Parameter Name="_it" Type="SAP__self.SalesOrderType" Nullable="false"/>
        <ReturnType Type="com.example.sales.SalesOrderType" Nullable="false"/>
      </Action>
      <Function Name="Preview" IsBound="true">
        <Parameter Name="_it" Type="Collection(SAP__self.SalesOrderType)" Nullable="false"/>
        <Parameter Name="Rate" Type="Edm.Decimal" Precision="5"/>
        <ReturnType Type="Collection(SAP__self.SalesOrderType)" Nullable="false"/>
      </Function>
      <EntityContainer Name="Container">
        <EntitySet Name="SalesOrder" EntityType="SAP__self.SalesOrderType">
          <NavigationPropertyBinding Path="_Customer" Target="Customer"/>
        </EntitySet>
        <EntitySet Name="Customer" EntityType="com.example.sales.CustomerType"/>
      </EntityContainer>
      <Annotations Target="SAP__self.Container/SalesOrder">
        <Annotation Term="SAP__capabilities.NavigationRestrictions">
          <Record Type="SAP__capabilities.NavigationRestrictionsType">
            <PropertyValue Property="RestrictedProperties">
              <Collection>
                <Record Type="Org.OData.Capabilities.V1.NavigationPropertyRestriction">
                  <PropertyValue Property="NavigationProperty" NavigationPropertyPath="_Item"/>
                  <PropertyValue Property="InsertRestrictions">
                    <Record Type="SAP__capabilities.InsertRestrictionsType">
                      <PropertyValue Property="Insertable" Bool="true"/>
                    </Record>
                  </PropertyValue>
                </Record>
              </Collection>
            </PropertyValue>
          </Record>
        </Annotation>
        <Annotation Term="SAP__core.OptimisticConcurrency">
          <Collection><PropertyPath>LastChangedAt</PropertyPath></Collection>
        </Annotation>
      </Annotations>
      <Annotations Target="SAP__self.SalesOrderType">
        <Annotation Term="SAP__UI.LineItem">
          <Collection>
            <Record Type="SAP__UI.DataField">
              <PropertyValue Property="Value" Path="SalesOrder"/>
              <Annotation Term="SAP__UI.Importance" EnumMember="SAP__UI.ImportanceType/High"/>
            </Record>
            <Record Type="SAP__UI.DataFieldForAction">
              <PropertyValue Property="Action" String="com.example.sales.Release"/>
              <PropertyValue Property="Label" String="Release"/>
            </Record>
            <Record Type="SAP__UI.DataFieldWithNavigationPath">
              <PropertyValue Property="Value" Path="_Customer/Name"/>
              <PropertyValue Property="Target" NavigationPropertyPath="_Customer"/>
            </Record>
          </Collection>
        </Annotation>
        <Annotation Term="SAP__UI.Facets">
          <Collection>
            <Record Type="SAP__UI.ReferenceFacet">
              <PropertyValue Property="ID" String="Items"/>
              <PropertyValue Property="Target" AnnotationPath="_Item/@SAP__UI.LineItem"/>
            </Record>
          </Collection>
        </Annotation>
      </Annotations>
      <Annotations Target="SAP__self.SalesOrderType" Qualifier="Simple">
        <Annotation Term="SAP__UI.LineItem">
          <Collection>
            <Record Type="SAP__UI.DataField"><PropertyValue Property="Value" Path="SalesOrder"/></Record>
          </Collection>
        </Annotation>
      </Annotations>
      <Annotations Target="SAP__self.SalesOrderType/GrossAmount">
        <Annotation Term="Org.OData.Measures.V1.ISOCurrency" Path="Currency"/>
        <Annotation Term="SAP__common.Label" String="Gross Amount"/>
      </Annotations>
      <Annotations Target="SAP__self.SalesOrderType/Status">
        <Annotation Term="SAP__common.Text" Path="_Customer/Name">
          <Annotation Term="SAP__UI.TextArrangement" EnumMember="SAP__UI.TextArrangementType/TextFirst"/>
        </Annotation>
        <Annotation Term="SAP__common.ValueListWithFixedValues"/>
      </Annotations>
      <Annotations Target="SAP__self.Release(SAP__self.SalesOrderType)">
        <Annotation Term="SAP__core.OperationAvailable" Path="_it/Status"/>
      </Annotations>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;
