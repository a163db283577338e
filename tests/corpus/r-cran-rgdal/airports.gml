<?xml version="1.0" encoding="utf-8" ?>
<ogr:FeatureCollection
     xmlns:xsi="http://www.w3c.org/2001/XMLSchema-instance"
     xsi:schemaLocation=". airports.xsd"
     xmlns:ogr="http://ogr.maptools.org/"
     xmlns:gml="http://www.opengis.net/gml">
  <gml:boundedBy>
    <gml:Box>
      <gml:coord><gml:X>434634</gml:X><gml:Y>5228719</gml:Y></gml:coord>
      <gml:coord><gml:X>496393</gml:X><gml:Y>5291930</gml:Y></gml:coord>
    </gml:Box>
  </gml:boundedBy>                                                                     
  <gml:featureMember>
    <airports fid="0">
      <NAME>Bigfork Municipal Airport</NAME>
      <LAT>     47.7789</LAT>
      <LON>    -93.6500</LON>
      <ELEVATION>   1343.0000</ELEVATION>
      <QUADNAME>Effie</QUADNAME>
      <ogr:geometryProperty><gml:Point><gml:coordinates>451306,5291930</gml:coordinates></gml:Point></ogr:geometryProperty>
    </airports>
  </gml:featureMember>
  <gml:featureMember>
    <airports fid="1">
      <NAME>Bolduc Seaplane Base</NAME>
      <LAT>     47.5975</LAT>
      <LON>    -93.4106</LON>
      <ELEVATION>   1325.0000</ELEVATION>
      <QUADNAME>Balsam Lake</QUADNAME>
      <ogr:geometryProperty><gml:Point><gml:coordinates>469137,5271647</gml:coordinates></gml:Point></ogr:geometryProperty>
    </airports>
  </gml:featureMember>
  <gml:featureMember>
    <airports fid="2">
      <NAME>Bowstring Municipal Airport</NAME>
      <LAT>     47.5583</LAT>
      <LON>    -93.8689</LON>
      <ELEVATION>   1372.0000</ELEVATION>
      <QUADNAME>Jessie Lake</QUADNAME>
      <ogr:geometryProperty><gml:Point><gml:coordinates>434634,5267578</gml:coordinates></gml:Point></ogr:geometryProperty>
    </airports>
  </gml:featureMember>
  <gml:featureMember>
    <airports fid="3">
      <NAME>Burns Lake Seaplane Base</NAME>
      <LAT>     47.6233</LAT>
      <LON>    -93.6103</LON>
      <ELEVATION>   1357.0000</ELEVATION>
      <QUADNAME>Clubhouse Lake</QUADNAME>
      <ogr:geometryProperty><gml:Point><gml:coordinates>454146,5274617</gml:coordinates></gml:Point></ogr:geometryProperty>
    </airports>
  </gml:featureMember>
  <gml:featureMember>
    <airports fid="4">
      <NAME>Christenson Point Seaplane Base</NAME>
      <LAT>     47.6692</LAT>
      <LON>    -93.0544</LON>
      <ELEVATION>   1372.0000</ELEVATION>
      <QUADNAME>Side Lake</QUADNAME>
      <ogr:geometryProperty><gml:Point><gml:coordinates>495913,5279532</gml:coordinates></gml:Point></ogr:geometryProperty>
    </airports>
  </gml:featureMember>
  <gml:featureMember>
    <airports fid="5">
      <NAME>Deer River Municipal Airport</NAME>
      <LAT>     47.3522</LAT>
      <LON>    -93.8000</LON>
      <ELEVATION>   1311.0000</ELEVATION>
      <QUADNAME>Deer River</QUADNAME>
      <ogr:geometryProperty><gml:Point><gml:coordinates>439581,5244617</gml:coordinates></gml:Point></ogr:geometryProperty>
    </airports>
  </gml:featureMember>
  <gml:featureMember>
    <airports fid="6">
      <NAME>Gospel Ranch Airport</NAME>
      <LAT>     47.2289</LAT>
      <LON>    -93.0919</LON>
      <ELEVATION>   1394.0000</ELEVATION>
      <QUADNAME>Floodwood Lake</QUADNAME>
      <ogr:geometryProperty><gml:Point><gml:coordinates>493040,5230604</gml:coordinates></gml:Point></ogr:geometryProperty>
    </airports>
  </gml:featureMember>
  <gml:featureMember>
    <airports fid="7">
      <NAME>Grand Rapids-Itasca County/Gordon Newstrom Field</NAME>
      <LAT>     47.2108</LAT>
      <LON>    -93.5097</LON>
      <ELEVATION>   1355.0000</ELEVATION>
      <QUADNAME>Grand Rapids</QUADNAME>
      <ogr:geometryProperty><gml:Point><gml:coordinates>461401,5228719</gml:coordinates></gml:Point></ogr:geometryProperty>
    </airports>
  </gml:featureMember>
  <gml:featureMember>
    <airports fid="8">
      <NAME>Richter Ranch Airport</NAME>
      <LAT>     47.3161</LAT>
      <LON>    -93.5914</LON>
      <ELEVATION>   1340.0000</ELEVATION>
      <QUADNAME>Cohasset East</QUADNAME>
      <ogr:geometryProperty><gml:Point><gml:coordinates>455305,5240463</gml:coordinates></gml:Point></ogr:geometryProperty>
    </airports>
  </gml:featureMember>
  <gml:featureMember>
    <airports fid="9">
      <NAME>Shaughnessy Seaplane Base</NAME>
      <LAT>     47.4178</LAT>
      <LON>    -93.3839</LON>
      <ELEVATION>   1300.0000</ELEVATION>
      <QUADNAME>Lawrence Lake West</QUADNAME>
      <ogr:geometryProperty><gml:Point><gml:coordinates>471043,5251664</gml:coordinates></gml:Point></ogr:geometryProperty>
    </airports>
  </gml:featureMember>
  <gml:featureMember>
    <airports fid="10">
      <NAME>Sixberrys Landing Seaplane Base</NAME>
      <LAT>     47.6775</LAT>
      <LON>    -93.0481</LON>
      <ELEVATION>   1372.0000</ELEVATION>
      <QUADNAME>Side Lake</QUADNAME>
      <ogr:geometryProperty><gml:Point><gml:coordinates>496393,5280458</gml:coordinates></gml:Point></ogr:geometryProperty>
    </airports>
  </gml:featureMember>
  <gml:featureMember>
    <airports fid="11">
      <NAME>Snells Seaplane Base</NAME>
      <LAT>     47.6472</LAT>
      <LON>    -93.7450</LON>
      <ELEVATION>   1351.0000</ELEVATION>
      <QUADNAME>Bigfork</QUADNAME>
      <ogr:geometryProperty><gml:Point><gml:coordinates>444049,5277360</gml:coordinates></gml:Point></ogr:geometryProperty>
    </airports>
  </gml:featureMember>
  <gml:featureMember>
    <airports fid="12">
      <NAME>Bolduc Seaplane Base</NAME>
      <ELEVATION>   1325.0000</ELEVATION>
      <QUADNAME>Tyler's Lake</QUADNAME>
      <ogr:geometryProperty><gml:Point><gml:coordinates>469000,5270000</gml:coordinates></gml:Point></ogr:geometryProperty>
    </airports>
  </gml:featureMember>

</ogr:FeatureCollection>
