// Country names and codes to ISO 3166-1 alpha-2; see countries.hpp.
//
// Every input goes through build_key(): ASCII lower-cased, Latin-1 and Latin Extended-A letters
// transliterated (Ä -> a, ß -> ss, Ø -> o, Œ -> oe, ...), '.', ',', '(', ')', '-' and apostrophes
// dropped, whitespace trimmed and collapsed. The table's names go through the same function, in a
// few more spellings (ä -> ae, '-' as a space, "&" for and/und/et, "St." for Saint/Sankt, a
// leading "The"), and all of them land in one hash map built on first use.
#include "countries.hpp"

#include <array>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <unordered_map>
#include <utility>
#include <vector>

namespace leadhub::mapping {
namespace {

struct Country {
  std::string_view alpha2;
  std::string_view alpha3;
  std::string_view numeric;
  std::string_view en;
  std::string_view de;
  std::string_view fr;
  std::string_view aliases;  // other names in any language, '|' separated
};

// All officially assigned ISO 3166-1 codes; alpha-2 as in core/model/codes.cpp (kCountries).
// clang-format off
constexpr Country kCountryTable[] = {
    {"AD", "AND", "020", "Andorra", "Andorra", "Andorre", "Principality of Andorra"},
    {"AE", "ARE", "784", "United Arab Emirates", "Vereinigte Arabische Emirate", "Émirats arabes unis", "UAE|Emirates|VAE|EAU"},
    {"AF", "AFG", "004", "Afghanistan", "Afghanistan", "Afghanistan", "Islamic Republic of Afghanistan"},
    {"AG", "ATG", "028", "Antigua and Barbuda", "Antigua und Barbuda", "Antigua-et-Barbuda", ""},
    {"AI", "AIA", "660", "Anguilla", "Anguilla", "Anguilla", ""},
    {"AL", "ALB", "008", "Albania", "Albanien", "Albanie", "Republic of Albania"},
    {"AM", "ARM", "051", "Armenia", "Armenien", "Arménie", "Republic of Armenia"},
    {"AO", "AGO", "024", "Angola", "Angola", "Angola", "Republic of Angola"},
    {"AQ", "ATA", "010", "Antarctica", "Antarktis", "Antarctique", "Antarktika"},
    {"AR", "ARG", "032", "Argentina", "Argentinien", "Argentine", "Argentine Republic"},
    {"AS", "ASM", "016", "American Samoa", "Amerikanisch-Samoa", "Samoa américaines", ""},
    {"AT", "AUT", "040", "Austria", "Österreich", "Autriche", "Republic of Austria"},
    {"AU", "AUS", "036", "Australia", "Australien", "Australie", ""},
    {"AW", "ABW", "533", "Aruba", "Aruba", "Aruba", ""},
    {"AX", "ALA", "248", "Åland Islands", "Ålandinseln", "Îles Åland", "Åland|Åland, Îles"},
    {"AZ", "AZE", "031", "Azerbaijan", "Aserbaidschan", "Azerbaïdjan", "Republic of Azerbaijan"},
    {"BA", "BIH", "070", "Bosnia and Herzegovina", "Bosnien und Herzegowina", "Bosnie-Herzégovine", "Bosnia|Bosnia-Herzegovina|Bosnien|Bosnien-Herzegowina|Republic of Bosnia and Herzegovina"},
    {"BB", "BRB", "052", "Barbados", "Barbados", "Barbade", ""},
    {"BD", "BGD", "050", "Bangladesh", "Bangladesch", "Bangladesh", "People's Republic of Bangladesh"},
    {"BE", "BEL", "056", "Belgium", "Belgien", "Belgique", "Kingdom of Belgium"},
    {"BF", "BFA", "854", "Burkina Faso", "Burkina Faso", "Burkina Faso", ""},
    {"BG", "BGR", "100", "Bulgaria", "Bulgarien", "Bulgarie", "Republic of Bulgaria"},
    {"BH", "BHR", "048", "Bahrain", "Bahrain", "Bahreïn", "Kingdom of Bahrain"},
    {"BI", "BDI", "108", "Burundi", "Burundi", "Burundi", "Republic of Burundi"},
    {"BJ", "BEN", "204", "Benin", "Benin", "Bénin", "Republic of Benin"},
    {"BL", "BLM", "652", "Saint Barthélemy", "Saint-Barthélemy", "Saint-Barthélemy", "Saint Barth|Saint Barths|St. Barts"},
    {"BM", "BMU", "060", "Bermuda", "Bermuda", "Bermudes", ""},
    {"BN", "BRN", "096", "Brunei", "Brunei", "Brunei", "Brunei Darussalam"},
    {"BO", "BOL", "068", "Bolivia", "Bolivien", "Bolivie", "Bolivia, Plurinational State of|Bolivien, Plurinationaler Staat|Bolivie, état plurinational de|Plurinational State of Bolivia"},
    {"BQ", "BES", "535", "Bonaire, Sint Eustatius and Saba", "Bonaire, Sint Eustatius und Saba", "Bonaire, Saint-Eustache et Saba", "Caribbean Netherlands|Karibische Niederlande|Pays-Bas caribéens|Bonaire|Sint Eustatius|Saba"},
    {"BR", "BRA", "076", "Brazil", "Brasilien", "Brésil", "Federative Republic of Brazil"},
    {"BS", "BHS", "044", "Bahamas", "Bahamas", "Bahamas", "Commonwealth of the Bahamas"},
    {"BT", "BTN", "064", "Bhutan", "Bhutan", "Bhoutan", "Kingdom of Bhutan"},
    {"BV", "BVT", "074", "Bouvet Island", "Bouvetinsel", "Île Bouvet", ""},
    {"BW", "BWA", "072", "Botswana", "Botsuana", "Botswana", "Republic of Botswana"},
    {"BY", "BLR", "112", "Belarus", "Belarus", "Biélorussie", "Belorussia|Byelorussia|Weißrussland|Republic of Belarus"},
    {"BZ", "BLZ", "084", "Belize", "Belize", "Belize", ""},
    {"CA", "CAN", "124", "Canada", "Kanada", "Canada", ""},
    {"CC", "CCK", "166", "Cocos (Keeling) Islands", "Kokosinseln", "Îles Cocos", "Cocos Islands|Keeling Islands|Kokos-(Keeling-)Inseln|Cocos (Keeling), Îles"},
    {"CD", "COD", "180", "Democratic Republic of the Congo", "Demokratische Republik Kongo", "République démocratique du Congo", "Congo, Democratic Republic of the|DR Congo|DRC|Congo-Kinshasa|DR Kongo|Kongo-Kinshasa|RD Congo|RDC|Zaire|Congo, The Democratic Republic of the"},
    {"CF", "CAF", "140", "Central African Republic", "Zentralafrikanische Republik", "République centrafricaine", ""},
    {"CG", "COG", "178", "Congo", "Kongo", "République du Congo", "Republic of Congo|Congo-Brazzaville|Republik Kongo|Kongo-Brazzaville|Republic of the Congo"},
    {"CH", "CHE", "756", "Switzerland", "Schweiz", "Suisse", "Schweizerische Eidgenossenschaft|Confédération suisse|Svizzera|Swiss Confederation"},
    {"CI", "CIV", "384", "Côte d'Ivoire", "Elfenbeinküste", "Côte d'Ivoire", "Ivory Coast|Republic of Côte d'Ivoire"},
    {"CK", "COK", "184", "Cook Islands", "Cookinseln", "Îles Cook", ""},
    {"CL", "CHL", "152", "Chile", "Chile", "Chili", "Republic of Chile"},
    {"CM", "CMR", "120", "Cameroon", "Kamerun", "Cameroun", "Republic of Cameroon"},
    {"CN", "CHN", "156", "China", "China", "Chine", "PRC|Volksrepublik China|VR China|République populaire de Chine|People's Republic of China"},
    {"CO", "COL", "170", "Colombia", "Kolumbien", "Colombie", "Republic of Colombia"},
    {"CR", "CRI", "188", "Costa Rica", "Costa Rica", "Costa Rica", "Republic of Costa Rica"},
    {"CU", "CUB", "192", "Cuba", "Kuba", "Cuba", "Republic of Cuba"},
    {"CV", "CPV", "132", "Cabo Verde", "Kap Verde", "Cap-Vert", "Cape Verde|Kapverden|Republic of Cabo Verde"},
    {"CW", "CUW", "531", "Curaçao", "Curaçao", "Curaçao", ""},
    {"CX", "CXR", "162", "Christmas Island", "Weihnachtsinsel", "Île Christmas", "Weihnachtsinseln|Christmas, Île"},
    {"CY", "CYP", "196", "Cyprus", "Zypern", "Chypre", "Republic of Cyprus"},
    {"CZ", "CZE", "203", "Czechia", "Tschechien", "Tchéquie", "Tschechische Republik|République tchèque|Czech Republic"},
    {"DE", "DEU", "276", "Germany", "Deutschland", "Allemagne", "Bundesrepublik Deutschland|BRD|République fédérale d'Allemagne|Federal Republic of Germany"},
    {"DJ", "DJI", "262", "Djibouti", "Dschibuti", "Djibouti", "Republic of Djibouti"},
    {"DK", "DNK", "208", "Denmark", "Dänemark", "Danemark", "Kingdom of Denmark"},
    {"DM", "DMA", "212", "Dominica", "Dominica", "Dominique", "Commonwealth of Dominica"},
    {"DO", "DOM", "214", "Dominican Republic", "Dominikanische Republik", "République dominicaine", "Dominikanische Rep."},
    {"DZ", "DZA", "012", "Algeria", "Algerien", "Algérie", "People's Democratic Republic of Algeria"},
    {"EC", "ECU", "218", "Ecuador", "Ecuador", "Équateur", "Republic of Ecuador"},
    {"EE", "EST", "233", "Estonia", "Estland", "Estonie", "Republic of Estonia"},
    {"EG", "EGY", "818", "Egypt", "Ägypten", "Égypte", "Arab Republic of Egypt"},
    {"EH", "ESH", "732", "Western Sahara", "Westsahara", "Sahara occidental", ""},
    {"ER", "ERI", "232", "Eritrea", "Eritrea", "Érythrée", "State of Eritrea"},
    {"ES", "ESP", "724", "Spain", "Spanien", "Espagne", "España|Kingdom of Spain"},
    {"ET", "ETH", "231", "Ethiopia", "Äthiopien", "Éthiopie", "Federal Democratic Republic of Ethiopia"},
    {"FI", "FIN", "246", "Finland", "Finnland", "Finlande", "Republic of Finland"},
    {"FJ", "FJI", "242", "Fiji", "Fidschi", "Fidji", "Republic of Fiji"},
    {"FK", "FLK", "238", "Falkland Islands", "Falklandinseln", "Îles Malouines", "Falklands|Malvinas|Îles Falkland|Falkland Islands (Malvinas)|Falklandinseln (Malwinen)|Malouines, Îles (Falkland)"},
    {"FM", "FSM", "583", "Micronesia", "Mikronesien", "Micronésie", "Föderierte Staaten von Mikronesien|États fédérés de Micronésie|Micronesia, Federated States of|Mikronesien, Föderierte Staaten von|Micronésie, États fédérés de|Federated States of Micronesia"},
    {"FO", "FRO", "234", "Faroe Islands", "Färöer", "Îles Féroé", "Faroes|Faeroe Islands|Féroé|Färöer-Inseln"},
    {"FR", "FRA", "250", "France", "Frankreich", "France", "French Republic"},
    {"GA", "GAB", "266", "Gabon", "Gabun", "Gabon", "Gabonese Republic"},
    {"GB", "GBR", "826", "United Kingdom", "Vereinigtes Königreich", "Royaume-Uni", "UK|Great Britain|Britain|England|Scotland|Wales|Northern Ireland|Großbritannien|Vereinigtes Königreich Großbritannien und Nordirland|Schottland|Nordirland|Grande-Bretagne|Angleterre|Écosse|Pays de Galles|Irlande du Nord|Royaume-Uni de Grande-Bretagne et d'Irlande du Nord|United Kingdom of Great Britain and Northern Ireland"},
    {"GD", "GRD", "308", "Grenada", "Grenada", "Grenade", ""},
    {"GE", "GEO", "268", "Georgia", "Georgien", "Géorgie", ""},
    {"GF", "GUF", "254", "French Guiana", "Französisch-Guayana", "Guyane", "Französisch-Guyana|Guyane française"},
    {"GG", "GGY", "831", "Guernsey", "Guernsey", "Guernesey", ""},
    {"GH", "GHA", "288", "Ghana", "Ghana", "Ghana", "Republic of Ghana"},
    {"GI", "GIB", "292", "Gibraltar", "Gibraltar", "Gibraltar", ""},
    {"GL", "GRL", "304", "Greenland", "Grönland", "Groenland", ""},
    {"GM", "GMB", "270", "Gambia", "Gambia", "Gambie", "Republic of the Gambia"},
    {"GN", "GIN", "324", "Guinea", "Guinea", "Guinée", "Guinea-Conakry|Guinée-Conakry|Republic of Guinea"},
    {"GP", "GLP", "312", "Guadeloupe", "Guadeloupe", "Guadeloupe", ""},
    {"GQ", "GNQ", "226", "Equatorial Guinea", "Äquatorialguinea", "Guinée équatoriale", "Republic of Equatorial Guinea"},
    {"GR", "GRC", "300", "Greece", "Griechenland", "Grèce", "Hellas|Hellenic Republic"},
    {"GS", "SGS", "239", "South Georgia and the South Sandwich Islands", "Südgeorgien und die Südlichen Sandwichinseln", "Géorgie du Sud-et-les îles Sandwich du Sud", "South Georgia|South Georgia und die Südlichen Sandwichinseln|Géorgie du Sud et les îles Sandwich du Sud"},
    {"GT", "GTM", "320", "Guatemala", "Guatemala", "Guatemala", "Republic of Guatemala"},
    {"GU", "GUM", "316", "Guam", "Guam", "Guam", ""},
    {"GW", "GNB", "624", "Guinea-Bissau", "Guinea-Bissau", "Guinée-Bissau", "Republic of Guinea-Bissau"},
    {"GY", "GUY", "328", "Guyana", "Guyana", "Guyana", "Republic of Guyana"},
    {"HK", "HKG", "344", "Hong Kong", "Hongkong", "Hong Kong", "Hong Kong SAR|Hong Kong, China|Hong Kong Special Administrative Region of China"},
    {"HM", "HMD", "334", "Heard Island and McDonald Islands", "Heard und McDonaldinseln", "Îles Heard-et-MacDonald", "Heard and McDonald Islands|Heard Island"},
    {"HN", "HND", "340", "Honduras", "Honduras", "Honduras", "Republic of Honduras"},
    {"HR", "HRV", "191", "Croatia", "Kroatien", "Croatie", "Republic of Croatia"},
    {"HT", "HTI", "332", "Haiti", "Haiti", "Haïti", "Republic of Haiti"},
    {"HU", "HUN", "348", "Hungary", "Ungarn", "Hongrie", ""},
    {"ID", "IDN", "360", "Indonesia", "Indonesien", "Indonésie", "Republic of Indonesia"},
    {"IE", "IRL", "372", "Ireland", "Irland", "Irlande", "Eire|Republic of Ireland"},
    {"IL", "ISR", "376", "Israel", "Israel", "Israël", "State of Israel"},
    {"IM", "IMN", "833", "Isle of Man", "Insel Man", "Île de Man", ""},
    {"IN", "IND", "356", "India", "Indien", "Inde", "Republic of India"},
    {"IO", "IOT", "086", "British Indian Ocean Territory", "Britisches Territorium im Indischen Ozean", "Territoire britannique de l'océan Indien", "Chagos Islands|Chagosinseln|Archipel des Chagos"},
    {"IQ", "IRQ", "368", "Iraq", "Irak", "Irak", "Republic of Iraq"},
    {"IR", "IRN", "364", "Iran", "Iran", "Iran", "Persia|Persien|Perse|Iran, Islamic Republic of|Iran, Islamische Republik|Iran, République islamique d'|Islamic Republic of Iran"},
    {"IS", "ISL", "352", "Iceland", "Island", "Islande", "Republic of Iceland"},
    {"IT", "ITA", "380", "Italy", "Italien", "Italie", "Italia|Italian Republic"},
    {"JE", "JEY", "832", "Jersey", "Jersey", "Jersey", ""},
    {"JM", "JAM", "388", "Jamaica", "Jamaika", "Jamaïque", ""},
    {"JO", "JOR", "400", "Jordan", "Jordanien", "Jordanie", "Hashemite Kingdom of Jordan"},
    {"JP", "JPN", "392", "Japan", "Japan", "Japon", ""},
    {"KE", "KEN", "404", "Kenya", "Kenia", "Kenya", "Republic of Kenya"},
    {"KG", "KGZ", "417", "Kyrgyzstan", "Kirgisistan", "Kirghizistan", "Kyrgyz Republic"},
    {"KH", "KHM", "116", "Cambodia", "Kambodscha", "Cambodge", "Kingdom of Cambodia"},
    {"KI", "KIR", "296", "Kiribati", "Kiribati", "Kiribati", "Republic of Kiribati"},
    {"KM", "COM", "174", "Comoros", "Komoren", "Comores", "Union of the Comoros"},
    {"KN", "KNA", "659", "Saint Kitts and Nevis", "St. Kitts und Nevis", "Saint-Christophe-et-Niévès", "Saint Kitts|St. Kitts|Saint-Kitts-et-Nevis|Saint Christopher and Nevis"},
    {"KP", "PRK", "408", "North Korea", "Nordkorea", "Corée du Nord", "Korea, North|DPRK|Demokratische Volksrepublik Korea|République populaire démocratique de Corée|Korea, Democratic People's Republic of|Korea, Demokratische Volksrepublik|Corée, République populaire démocratique de|Democratic People's Republic of Korea"},
    {"KR", "KOR", "410", "South Korea", "Südkorea", "Corée du Sud", "Korea|Korea, South|Republic of Korea|ROK|Republik Korea|Corée|République de Corée|Korea, Republic of|Korea, Republik|Corée, République de"},
    {"KW", "KWT", "414", "Kuwait", "Kuwait", "Koweït", "State of Kuwait"},
    {"KY", "CYM", "136", "Cayman Islands", "Kaimaninseln", "Îles Caïmans", "Caymaninseln"},
    {"KZ", "KAZ", "398", "Kazakhstan", "Kasachstan", "Kazakhstan", "Republic of Kazakhstan"},
    {"LA", "LAO", "418", "Laos", "Laos", "Laos", "Lao PDR|Demokratische Volksrepublik Laos|République démocratique populaire lao|Lao People's Democratic Republic|Laos, Demokratische Volksrepublik|Lao, République démocratique populaire"},
    {"LB", "LBN", "422", "Lebanon", "Libanon", "Liban", "Lebanese Republic"},
    {"LC", "LCA", "662", "Saint Lucia", "St. Lucia", "Sainte-Lucie", ""},
    {"LI", "LIE", "438", "Liechtenstein", "Liechtenstein", "Liechtenstein", "Principality of Liechtenstein"},
    {"LK", "LKA", "144", "Sri Lanka", "Sri Lanka", "Sri Lanka", "Ceylon|Democratic Socialist Republic of Sri Lanka"},
    {"LR", "LBR", "430", "Liberia", "Liberia", "Libéria", "Republic of Liberia"},
    {"LS", "LSO", "426", "Lesotho", "Lesotho", "Lesotho", "Kingdom of Lesotho"},
    {"LT", "LTU", "440", "Lithuania", "Litauen", "Lituanie", "Republic of Lithuania"},
    {"LU", "LUX", "442", "Luxembourg", "Luxemburg", "Luxembourg", "Grand Duchy of Luxembourg"},
    {"LV", "LVA", "428", "Latvia", "Lettland", "Lettonie", "Republic of Latvia"},
    {"LY", "LBY", "434", "Libya", "Libyen", "Libye", ""},
    {"MA", "MAR", "504", "Morocco", "Marokko", "Maroc", "Kingdom of Morocco"},
    {"MC", "MCO", "492", "Monaco", "Monaco", "Monaco", "Principality of Monaco"},
    {"MD", "MDA", "498", "Moldova", "Moldau", "Moldavie", "Republik Moldau|Moldawien|République de Moldavie|Moldova, Republic of|Moldau, Republik|Moldova, République de|Republic of Moldova"},
    {"ME", "MNE", "499", "Montenegro", "Montenegro", "Monténégro", ""},
    {"MF", "MAF", "663", "Saint Martin", "Saint-Martin", "Saint-Martin", "Saint Martin (French part)|Saint Martin (Französischer Teil)|Saint-Martin (partie française)"},
    {"MG", "MDG", "450", "Madagascar", "Madagaskar", "Madagascar", "Republic of Madagascar"},
    {"MH", "MHL", "584", "Marshall Islands", "Marshallinseln", "Îles Marshall", "Republic of the Marshall Islands"},
    {"MK", "MKD", "807", "North Macedonia", "Nordmazedonien", "Macédoine du Nord", "Macedonia|Mazedonien|Macédoine|Macedonia, The Former Yugoslav Republic of|FYROM|Republic of North Macedonia"},
    {"ML", "MLI", "466", "Mali", "Mali", "Mali", "Republic of Mali"},
    {"MM", "MMR", "104", "Myanmar", "Myanmar", "Myanmar", "Burma|Birma|Birmanie|Republic of Myanmar"},
    {"MN", "MNG", "496", "Mongolia", "Mongolei", "Mongolie", ""},
    {"MO", "MAC", "446", "Macao", "Macau", "Macau", "Macao SAR|Macao Special Administrative Region of China"},
    {"MP", "MNP", "580", "Northern Mariana Islands", "Nördliche Marianen", "Îles Mariannes du Nord", "Northern Marianas|Commonwealth of the Northern Mariana Islands"},
    {"MQ", "MTQ", "474", "Martinique", "Martinique", "Martinique", ""},
    {"MR", "MRT", "478", "Mauritania", "Mauretanien", "Mauritanie", "Islamic Republic of Mauritania"},
    {"MS", "MSR", "500", "Montserrat", "Montserrat", "Montserrat", ""},
    {"MT", "MLT", "470", "Malta", "Malta", "Malte", "Republic of Malta"},
    {"MU", "MUS", "480", "Mauritius", "Mauritius", "Maurice", "Île Maurice|Republic of Mauritius"},
    {"MV", "MDV", "462", "Maldives", "Malediven", "Maldives", "Republic of Maldives"},
    {"MW", "MWI", "454", "Malawi", "Malawi", "Malawi", "Republic of Malawi"},
    {"MX", "MEX", "484", "Mexico", "Mexiko", "Mexique", "United Mexican States"},
    {"MY", "MYS", "458", "Malaysia", "Malaysia", "Malaisie", ""},
    {"MZ", "MOZ", "508", "Mozambique", "Mosambik", "Mozambique", "Republic of Mozambique"},
    {"NA", "NAM", "516", "Namibia", "Namibia", "Namibie", "Republic of Namibia"},
    {"NC", "NCL", "540", "New Caledonia", "Neukaledonien", "Nouvelle-Calédonie", ""},
    {"NE", "NER", "562", "Niger", "Niger", "Niger", "Republic of the Niger"},
    {"NF", "NFK", "574", "Norfolk Island", "Norfolkinsel", "Île Norfolk", ""},
    {"NG", "NGA", "566", "Nigeria", "Nigeria", "Nigéria", "Federal Republic of Nigeria"},
    {"NI", "NIC", "558", "Nicaragua", "Nicaragua", "Nicaragua", "Republic of Nicaragua"},
    {"NL", "NLD", "528", "Netherlands", "Niederlande", "Pays-Bas", "Holland|Hollande|Nederland|Netherlands, Kingdom of the|Kingdom of the Netherlands"},
    {"NO", "NOR", "578", "Norway", "Norwegen", "Norvège", "Norge|Kingdom of Norway"},
    {"NP", "NPL", "524", "Nepal", "Nepal", "Népal", "Federal Democratic Republic of Nepal"},
    {"NR", "NRU", "520", "Nauru", "Nauru", "Nauru", "Republic of Nauru"},
    {"NU", "NIU", "570", "Niue", "Niue", "Niue", "Nioue"},
    {"NZ", "NZL", "554", "New Zealand", "Neuseeland", "Nouvelle-Zélande", "Aotearoa"},
    {"OM", "OMN", "512", "Oman", "Oman", "Oman", "Sultanate of Oman"},
    {"PA", "PAN", "591", "Panama", "Panama", "Panama", "Republic of Panama"},
    {"PE", "PER", "604", "Peru", "Peru", "Pérou", "Republic of Peru"},
    {"PF", "PYF", "258", "French Polynesia", "Französisch-Polynesien", "Polynésie française", ""},
    {"PG", "PNG", "598", "Papua New Guinea", "Papua-Neuguinea", "Papouasie-Nouvelle-Guinée", "Independent State of Papua New Guinea"},
    {"PH", "PHL", "608", "Philippines", "Philippinen", "Philippines", "Republic of the Philippines"},
    {"PK", "PAK", "586", "Pakistan", "Pakistan", "Pakistan", "Islamic Republic of Pakistan"},
    {"PL", "POL", "616", "Poland", "Polen", "Pologne", "Polska|Republic of Poland"},
    {"PM", "SPM", "666", "Saint Pierre and Miquelon", "St. Pierre und Miquelon", "Saint-Pierre-et-Miquelon", ""},
    {"PN", "PCN", "612", "Pitcairn Islands", "Pitcairninseln", "Îles Pitcairn", "Pitcairn"},
    {"PR", "PRI", "630", "Puerto Rico", "Puerto Rico", "Porto Rico", ""},
    {"PS", "PSE", "275", "Palestine", "Palästina", "Palestine", "State of Palestine|Palestinian Territories|Palestinian Territory|Occupied Palestinian Territory|Staat Palästina|Palästinensische Gebiete|État de Palestine|Territoires palestiniens|Palestine, State of|Palästina, Staat|Palestine, État de"},
    {"PT", "PRT", "620", "Portugal", "Portugal", "Portugal", "Portuguese Republic"},
    {"PW", "PLW", "585", "Palau", "Palau", "Palaos", "Republic of Palau"},
    {"PY", "PRY", "600", "Paraguay", "Paraguay", "Paraguay", "Republic of Paraguay"},
    {"QA", "QAT", "634", "Qatar", "Katar", "Qatar", "State of Qatar"},
    {"RE", "REU", "638", "Réunion", "Réunion", "La Réunion", "Île de la Réunion|Réunion, Île de la"},
    {"RO", "ROU", "642", "Romania", "Rumänien", "Roumanie", ""},
    {"RS", "SRB", "688", "Serbia", "Serbien", "Serbie", "Republic of Serbia"},
    {"RU", "RUS", "643", "Russia", "Russland", "Russie", "Fédération de Russie|Russian Federation|Russische Föderation|Russie, Fédération de"},
    {"RW", "RWA", "646", "Rwanda", "Ruanda", "Rwanda", "Rwandese Republic"},
    {"SA", "SAU", "682", "Saudi Arabia", "Saudi-Arabien", "Arabie saoudite", "KSA|Kingdom of Saudi Arabia"},
    {"SB", "SLB", "090", "Solomon Islands", "Salomonen", "Îles Salomon", "Salomoninseln|Salomon, Îles"},
    {"SC", "SYC", "690", "Seychelles", "Seychellen", "Seychelles", "Republic of Seychelles"},
    {"SD", "SDN", "729", "Sudan", "Sudan", "Soudan", "Republic of the Sudan"},
    {"SE", "SWE", "752", "Sweden", "Schweden", "Suède", "Sverige|Kingdom of Sweden"},
    {"SG", "SGP", "702", "Singapore", "Singapur", "Singapour", "Republic of Singapore"},
    {"SH", "SHN", "654", "Saint Helena, Ascension and Tristan da Cunha", "St. Helena, Ascension und Tristan da Cunha", "Sainte-Hélène, Ascension et Tristan da Cunha", "Saint Helena|St. Helena|Sainte-Hélène|Ascension Island|Tristan da Cunha"},
    {"SI", "SVN", "705", "Slovenia", "Slowenien", "Slovénie", "Republic of Slovenia"},
    {"SJ", "SJM", "744", "Svalbard and Jan Mayen", "Svalbard und Jan Mayen", "Svalbard et Jan Mayen", "Svalbard et île Jan Mayen"},
    {"SK", "SVK", "703", "Slovakia", "Slowakei", "Slovaquie", "Slovak Republic"},
    {"SL", "SLE", "694", "Sierra Leone", "Sierra Leone", "Sierra Leone", "Republic of Sierra Leone"},
    {"SM", "SMR", "674", "San Marino", "San Marino", "Saint-Marin", "Republic of San Marino"},
    {"SN", "SEN", "686", "Senegal", "Senegal", "Sénégal", "Republic of Senegal"},
    {"SO", "SOM", "706", "Somalia", "Somalia", "Somalie", "Federal Republic of Somalia"},
    {"SR", "SUR", "740", "Suriname", "Suriname", "Suriname", "Surinam|Republic of Suriname"},
    {"SS", "SSD", "728", "South Sudan", "Südsudan", "Soudan du Sud", "Republic of South Sudan"},
    {"ST", "STP", "678", "São Tomé and Príncipe", "São Tomé und Príncipe", "Sao Tomé-et-Principe", "Democratic Republic of Sao Tome and Principe"},
    {"SV", "SLV", "222", "El Salvador", "El Salvador", "Salvador", "Republic of El Salvador"},
    {"SX", "SXM", "534", "Sint Maarten", "Sint Maarten", "Saint-Martin (partie néerlandaise)", "Sint Maarten (Dutch part)|Saint-Martin (Niederländischer Teil)"},
    {"SY", "SYR", "760", "Syria", "Syrien", "Syrie", "Arabische Republik Syrien|République arabe syrienne|Syrian Arab Republic|Syrien, Arabische Republik|Syrienne, République arabe"},
    {"SZ", "SWZ", "748", "Eswatini", "Eswatini", "Eswatini", "Swaziland|Swasiland|Kingdom of Eswatini"},
    {"TC", "TCA", "796", "Turks and Caicos Islands", "Turks- und Caicosinseln", "Îles Turques-et-Caïques", "Turks and Caicos"},
    {"TD", "TCD", "148", "Chad", "Tschad", "Tchad", "Republic of Chad"},
    {"TF", "ATF", "260", "French Southern Territories", "Französische Süd- und Antarktisgebiete", "Terres australes et antarctiques françaises", "French Southern and Antarctic Lands|TAAF|Terres australes françaises"},
    {"TG", "TGO", "768", "Togo", "Togo", "Togo", "Togolese Republic"},
    {"TH", "THA", "764", "Thailand", "Thailand", "Thaïlande", "Kingdom of Thailand"},
    {"TJ", "TJK", "762", "Tajikistan", "Tadschikistan", "Tadjikistan", "Republic of Tajikistan"},
    {"TK", "TKL", "772", "Tokelau", "Tokelau", "Tokelau", ""},
    {"TL", "TLS", "626", "Timor-Leste", "Osttimor", "Timor oriental", "East Timor|Democratic Republic of Timor-Leste"},
    {"TM", "TKM", "795", "Turkmenistan", "Turkmenistan", "Turkménistan", ""},
    {"TN", "TUN", "788", "Tunisia", "Tunesien", "Tunisie", "Republic of Tunisia"},
    {"TO", "TON", "776", "Tonga", "Tonga", "Tonga", "Kingdom of Tonga"},
    {"TR", "TUR", "792", "Türkiye", "Türkei", "Turquie", "Turkey|Republic of Türkiye"},
    {"TT", "TTO", "780", "Trinidad and Tobago", "Trinidad und Tobago", "Trinité-et-Tobago", "Republic of Trinidad and Tobago"},
    {"TV", "TUV", "798", "Tuvalu", "Tuvalu", "Tuvalu", ""},
    {"TW", "TWN", "158", "Taiwan", "Taiwan", "Taïwan", "Republic of China|Chinese Taipei|Taiwan, Province of China|Taiwan, Chinesische Provinz|Taïwan, province de Chine"},
    {"TZ", "TZA", "834", "Tanzania", "Tansania", "Tanzanie", "Tanzania, United Republic of|Tansania, Vereinigte Republik|Tanzanie, République unie de|United Republic of Tanzania"},
    {"UA", "UKR", "804", "Ukraine", "Ukraine", "Ukraine", ""},
    {"UG", "UGA", "800", "Uganda", "Uganda", "Ouganda", "Republic of Uganda"},
    {"UM", "UMI", "581", "United States Minor Outlying Islands", "Kleinere Amerikanische Überseeinseln", "Îles mineures éloignées des États-Unis", "US Minor Outlying Islands|Amerikanische Überseeinseln"},
    {"US", "USA", "840", "United States", "Vereinigte Staaten", "États-Unis", "America|Vereinigte Staaten von Amerika|Amerika|États-Unis d'Amérique|United States of America"},
    {"UY", "URY", "858", "Uruguay", "Uruguay", "Uruguay", "Eastern Republic of Uruguay"},
    {"UZ", "UZB", "860", "Uzbekistan", "Usbekistan", "Ouzbékistan", "Republic of Uzbekistan"},
    {"VA", "VAT", "336", "Vatican City", "Vatikanstadt", "Vatican", "Holy See|Vatican City State|Vatikan|Heiliger Stuhl|Saint-Siège|Cité du Vatican|Holy See (Vatican City State)|Heiliger Stuhl (Staat Vatikanstadt)|Saint-Siège (état de la cité du Vatican)"},
    {"VC", "VCT", "670", "Saint Vincent and the Grenadines", "St. Vincent und die Grenadinen", "Saint-Vincent-et-les-Grenadines", "Saint Vincent|St. Vincent"},
    {"VE", "VEN", "862", "Venezuela", "Venezuela", "Venezuela", "Venezuela, Bolivarian Republic of|Venezuela, Bolivarische Republik|Vénézuela, république bolivarienne du|Bolivarian Republic of Venezuela"},
    {"VG", "VGB", "092", "British Virgin Islands", "Britische Jungferninseln", "Îles Vierges britanniques", "BVI|Virgin Islands, British"},
    {"VI", "VIR", "850", "U.S. Virgin Islands", "Amerikanische Jungferninseln", "Îles Vierges des États-Unis", "United States Virgin Islands|USVI|Virgin Islands, U.S.|Îles Vierges, États-Unis|Virgin Islands of the United States"},
    {"VN", "VNM", "704", "Vietnam", "Vietnam", "Viêt Nam", "Socialist Republic of Viet Nam"},
    {"VU", "VUT", "548", "Vanuatu", "Vanuatu", "Vanuatu", "Republic of Vanuatu"},
    {"WF", "WLF", "876", "Wallis and Futuna", "Wallis und Futuna", "Wallis-et-Futuna", "Wallis and Futuna Islands|Wallis et Futuna"},
    {"WS", "WSM", "882", "Samoa", "Samoa", "Samoa", "Western Samoa|West-Samoa|Independent State of Samoa"},
    {"YE", "YEM", "887", "Yemen", "Jemen", "Yémen", "Republic of Yemen"},
    {"YT", "MYT", "175", "Mayotte", "Mayotte", "Mayotte", ""},
    {"ZA", "ZAF", "710", "South Africa", "Südafrika", "Afrique du Sud", "RSA|Republic of South Africa"},
    {"ZM", "ZMB", "894", "Zambia", "Sambia", "Zambie", "Republic of Zambia"},
    {"ZW", "ZWE", "716", "Zimbabwe", "Simbabwe", "Zimbabwe", "Republic of Zimbabwe"},
};
// clang-format on

static_assert(std::size(kCountryTable) == 249, "ISO 3166-1 has 249 officially assigned codes");

// ---- key building ----------------------------------------------------------------------------

// build_key() flags.
constexpr unsigned kPlain = 0;
constexpr unsigned kUmlautsAsE = 1;    // ä ö ü -> ae oe ue (the German spelling without umlauts)
constexpr unsigned kPunctAsSpace = 2;  // '-' and apostrophes separate words instead of vanishing

// ASCII for U+00C0..U+017F, one letter per code point. '*' marks letters spelled with two
// (see two_letters()), '?' the two signs in the block (× ÷), which are kept as they are.
constexpr std::string_view kLatin =
    "aaaaaa*ceeeeiiiidnooooo?ouuuuy**"                           // U+00C0..U+00DF
    "aaaaaa*ceeeeiiiidnooooo?ouuuuy*y"                           // U+00E0..U+00FF
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkk"  // U+0100..U+0138
    "llllllllllnnnnnnnnnoooooo**rrrrrrsssssssstttttt"            // U+0139..U+0167
    "uuuuuuuuuuuuwwyyyzzzzzzs";                                  // U+0168..U+017F
static_assert(kLatin.size() == 0x180 - 0xC0);

std::string_view two_letters(char32_t cp) {
  if (cp == 0xC6 || cp == 0xE6) return "ae";    // Æ æ
  if (cp == 0xDE || cp == 0xFE) return "th";    // Þ þ
  if (cp == 0xDF) return "ss";                  // ß
  if (cp == 0x132 || cp == 0x133) return "ij";  // Ĳ ĳ
  return "oe";                                  // Œ œ
}

bool is_space(char32_t cp) {
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// Dropped wherever they are: '.', ',', '(' and ')', zero-width characters and the
// BOM, and combining accents (decomposed input).
bool is_dropped(char32_t cp) {
  return cp == '.' || cp == ',' || cp == '(' || cp == ')' || (cp >= 0x200B && cp <= 0x200D) || cp == 0xFEFF ||
         (cp >= 0x300 && cp <= 0x36F);
}

// Hyphens, dashes and apostrophes: dropped ("Guinea-Bissau" -> "guineabissau"), or a space
// with kPunctAsSpace.
bool is_joiner(char32_t cp) {
  return cp == '-' || (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == '\'' || cp == '`' || cp == 0xB4 ||
         cp == 0x2BC || cp == 0x2018 || cp == 0x2019 || cp == 0x201B;
}

enum class Kind { kLetters, kSpace, kDrop, kJoiner, kRaw };

struct Mapped {
  Kind kind;
  std::string_view letters;  // for kLetters
};

// What one code point becomes in a key.
Mapped map_code_point(char32_t cp, unsigned flags) {
  static constexpr std::string_view kAscii = "abcdefghijklmnopqrstuvwxyz0123456789";
  if (cp >= 'a' && cp <= 'z') return {Kind::kLetters, kAscii.substr(cp - 'a', 1)};
  if (cp >= 'A' && cp <= 'Z') return {Kind::kLetters, kAscii.substr(cp - 'A', 1)};
  if (cp >= '0' && cp <= '9') return {Kind::kLetters, kAscii.substr(26 + cp - '0', 1)};
  if (is_space(cp)) return {Kind::kSpace, {}};
  if (is_dropped(cp)) return {Kind::kDrop, {}};
  if (is_joiner(cp)) return {Kind::kJoiner, {}};
  if ((flags & kUmlautsAsE) != 0) {
    if (cp == 0xC4 || cp == 0xE4) return {Kind::kLetters, "ae"};
    if (cp == 0xD6 || cp == 0xF6) return {Kind::kLetters, "oe"};
    if (cp == 0xDC || cp == 0xFC) return {Kind::kLetters, "ue"};
  }
  if (cp >= 0xC0 && cp < 0x180) {
    const char c = kLatin[cp - 0xC0];
    if (c == '*') return {Kind::kLetters, two_letters(cp)};
    if (c != '?') return {Kind::kLetters, kLatin.substr(cp - 0xC0, 1)};
  }
  if (cp == 0x218 || cp == 0x219) return {Kind::kLetters, "s"};  // Ș ș (comma below)
  if (cp == 0x21A || cp == 0x21B) return {Kind::kLetters, "t"};  // Ț ț
  if (cp == 0x1E9E) return {Kind::kLetters, "ss"};               // ẞ
  return {Kind::kRaw, {}};
}

// Writes a key into `out` (std::string or KeyBuffer): words separated by one space, none at
// either end.
template <typename Out>
void build_key(std::string_view in, unsigned flags, Out& out) {
  bool pending_space = false;
  bool any = false;
  const auto put = [&](std::string_view s) {
    if (pending_space && any) out.push_back(' ');
    pending_space = false;
    any = true;
    for (const char c : s) out.push_back(c);
  };
  const auto byte = [&](std::size_t i) -> char32_t { return i < in.size() ? static_cast<unsigned char>(in[i]) : 0U; };
  const auto continuation = [&](std::size_t i) { return (byte(i) & 0xC0U) == 0x80U; };

  for (std::size_t i = 0; i < in.size();) {
    const char32_t b = byte(i);
    char32_t cp = b;
    std::size_t len = 1;
    if (b >= 0xC2 && b <= 0xDF && continuation(i + 1)) {
      cp = ((b & 0x1FU) << 6) | (byte(i + 1) & 0x3FU);
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF && continuation(i + 1) && continuation(i + 2)) {
      cp = ((b & 0x0FU) << 12) | ((byte(i + 1) & 0x3FU) << 6) | (byte(i + 2) & 0x3FU);
      len = 3;
    } else if (b >= 0x80) {
      cp = 0xFFFD;  // anything else is copied byte by byte
    }
    const Mapped m = map_code_point(cp, flags);
    switch (m.kind) {
      case Kind::kLetters:
        put(m.letters);
        break;
      case Kind::kSpace:
        pending_space = true;
        break;
      case Kind::kDrop:
        break;
      case Kind::kJoiner:
        if (flags & kPunctAsSpace) pending_space = true;
        break;
      case Kind::kRaw:
        put(in.substr(i, len));
        break;
    }
    i += len;
  }
}

// Fixed-size key for lookups, so that a lookup allocates nothing. No key in the table is
// anywhere near this long; longer input simply does not match.
class KeyBuffer {
 public:
  void push_back(char c) {
    if (size_ < data_.size()) data_[size_] = c;
    ++size_;
  }
  bool fits() const { return size_ <= data_.size(); }
  std::string_view view() const { return {data_.data(), size_}; }

 private:
  std::array<char, 128> data_{};
  std::size_t size_ = 0;
};

// ---- the map ---------------------------------------------------------------------------------

// Extra spellings of one name key: "&" for and/und/et, "st" for saint/sankt, "ste" for sainte
// (and back), "the" before English names.
std::vector<std::string> spellings(const std::string& key, bool english) {
  std::vector<std::string> out{key};
  for (const std::string_view word : {" and ", " und ", " et "}) {
    const std::size_t n = out.size();
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t pos = out[i].find(word);
      if (pos == std::string::npos) continue;
      std::string amp = out[i];
      amp.replace(pos, word.size(), " & ");
      out.push_back(std::move(amp));
    }
  }
  static constexpr std::pair<std::string_view, std::string_view> kSaints[] = {
      {"saint ", "st "}, {"sankt ", "st "}, {"sainte ", "ste "}, {"sainte ", "st "}, {"st ", "saint "}};
  const std::size_t n = out.size();
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& [from, to] : kSaints) {
      if (out[i].starts_with(from)) out.push_back(std::string(to) + out[i].substr(from.size()));
    }
  }
  if (english) {
    const std::size_t m = out.size();
    for (std::size_t i = 0; i < m; ++i) out.push_back("the " + out[i]);
  }
  return out;
}

// Calls add(key, alpha2) for every key of the table, codes first, then the en/de/fr names,
// then the aliases: when two countries share a key, the earlier call is meant to win.
template <typename Add>
void for_each_key(Add&& add) {
  const auto code = [&](std::string_view c, std::string_view alpha2) {
    std::string key;
    build_key(c, kPlain, key);
    add(std::move(key), alpha2);
  };
  const auto name = [&](std::string_view text, std::string_view alpha2, bool english) {
    for (const unsigned flags : {kPlain, kUmlautsAsE, kPunctAsSpace, kUmlautsAsE | kPunctAsSpace}) {
      std::string key;
      build_key(text, flags, key);
      if (key.empty()) continue;
      for (std::string& k : spellings(key, english)) add(std::move(k), alpha2);
    }
  };
  for (const Country& c : kCountryTable) code(c.alpha2, c.alpha2);
  for (const Country& c : kCountryTable) code(c.alpha3, c.alpha2);
  for (const Country& c : kCountryTable) {
    code(c.numeric, c.alpha2);
    const std::size_t nz = c.numeric.find_first_not_of('0');  // "40" for "040"
    if (nz != 0 && nz != std::string_view::npos) code(c.numeric.substr(nz), c.alpha2);
  }
  for (const Country& c : kCountryTable) {
    name(c.en, c.alpha2, true);
    name(c.de, c.alpha2, false);
    name(c.fr, c.alpha2, false);
  }
  for (const Country& c : kCountryTable) {
    std::string_view rest = c.aliases;
    while (!rest.empty()) {
      const std::size_t bar = rest.find('|');
      name(rest.substr(0, bar), c.alpha2, false);
      rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
    }
  }
}

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

using KeyMap = std::unordered_map<std::string, std::string, KeyHash, std::equal_to<>>;

KeyMap build_map() {
  KeyMap map;
  map.reserve(8192);
  for_each_key([&](std::string key, std::string_view alpha2) {
    if (!key.empty()) map.try_emplace(std::move(key), alpha2);
  });
  return map;
}

}  // namespace

std::optional<std::string> to_iso_country(std::string_view text) {
  static const KeyMap kNames = build_map();
  KeyBuffer key;
  build_key(text, kPlain, key);
  if (!key.fits() || key.view().empty()) return std::nullopt;
  const auto it = kNames.find(key.view());
  if (it == kNames.end()) return std::nullopt;
  return it->second;
}

}  // namespace leadhub::mapping
