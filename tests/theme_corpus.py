"""A small labelled newsroom, written for the tests: articles already filed under six
running stories, and new drafts whose right theme is known."""

FILED = {
    "Ceasefire talks": [
        (
            "Envoys arrive in Valmora for ceasefire talks",
            "Mediators hope to agree a truce along the northern front before winter.",
            "Delegations from both sides met the mediators on Monday. The ceasefire proposal covers "
            "artillery, drones and the return of prisoners.",
        ),
        (
            "Truce holds for a second night along the front",
            "Shelling stopped in the border villages as negotiators worked on a ceasefire map.",
            "Residents of the border villages reported a quiet night. Negotiators are drawing the line "
            "where troops would withdraw under the truce.",
        ),
        (
            "Prisoner exchange agreed as part of ceasefire deal",
            "Each side will release two hundred prisoners, the mediators said.",
            "The exchange is the first step of the ceasefire agreement. Monitors will observe the "
            "withdrawal of heavy weapons from the front line.",
        ),
        (
            "Ceasefire monitors report violations near the river",
            "Observers counted shelling on both banks, threatening the fragile truce.",
            "The monitoring mission said troops had not withdrawn from two positions. Negotiators will "
            "meet again to save the ceasefire.",
        ),
    ],
    "Steel trade dispute": [
        (
            "Tariffs on imported steel doubled",
            "The trade ministry raised import duties to protect domestic mills.",
            "Exporters warned of retaliation. The steel tariffs apply to coils, beams and wire from "
            "next month, the trade ministry said.",
        ),
        (
            "Trading partners threaten retaliation over steel duties",
            "A complaint has been filed with the world trade tribunal.",
            "Partners said the tariffs broke the trade agreement and prepared counter-duties on "
            "machinery and dairy exports.",
        ),
        (
            "Steel mills hire again as imports fall",
            "Domestic steel production rose after the tariffs cut imports by a third.",
            "Mill owners welcomed the import duties, while car makers complained that steel prices "
            "had risen sharply under the tariffs.",
        ),
        (
            "Dairy exporters hit by counter-tariffs in trade row",
            "Cheese and butter shipments face new duties abroad.",
            "Farmers said the trade dispute over steel now costs them export markets. The ministry "
            "promised talks on the tariffs.",
        ),
    ],
    "Harbour bridge": [
        (
            "Harbour bridge closed for cable repairs",
            "Engineers found corrosion in two suspension cables.",
            "Traffic across the harbour is diverted to the ferry and the tunnel while engineers "
            "replace the bridge cables.",
        ),
        (
            "Bridge repair bill rises to forty million",
            "The council blames corrosion found deeper inside the deck.",
            "Engineers said the harbour bridge deck needs new steel plates. The council will borrow "
            "to pay for the bridge repairs.",
        ),
        (
            "Cyclists return to the harbour bridge",
            "The cycle lane reopened after three months of repairs.",
            "Commuters crossed the harbour on bikes at dawn. Cars must wait until the bridge deck "
            "repairs finish in spring.",
        ),
        (
            "Ferry queues grow while the bridge is shut",
            "Commuters wait an hour to cross the harbour by ferry.",
            "The ferry company added sailings during the bridge closure, but queues at the harbour "
            "terminal still stretch along the quay.",
        ),
    ],
    "Drought": [
        (
            "Reservoirs fall to a third of capacity",
            "The water board warns of rationing if the dry spell continues.",
            "No rain has fallen for eight weeks. Reservoir levels are the lowest since records began, "
            "and the water board asks households to save water.",
        ),
        (
            "Hosepipe ban begins on Friday",
            "Gardeners face fines for watering lawns during the drought.",
            "The water board said the hosepipe ban would save millions of litres while reservoirs "
            "recover from the drought.",
        ),
        (
            "Farmers sell cattle as pastures dry out",
            "Hay prices have tripled in the drought.",
            "Without rain the grass has stopped growing. Farmers say they cannot afford to feed "
            "cattle through the dry summer.",
        ),
        (
            "Rain brings little relief to empty reservoirs",
            "A weekend of showers raised water levels by less than one percent.",
            "The water board said the drought is not over and the hosepipe ban stays in place until "
            "the reservoirs refill.",
        ),
    ],
    "Teachers' strike": [
        (
            "Teachers vote to strike over pay",
            "The union says salaries have fallen behind inflation for a decade.",
            "Nine in ten teachers backed the strike. Schools could close for three days next month "
            "unless the ministry improves its pay offer.",
        ),
        (
            "Schools close as teachers walk out",
            "Parents scramble for childcare on the first strike day.",
            "Most primary schools shut their doors. Striking teachers marched to the education "
            "ministry demanding a fair pay rise.",
        ),
        (
            "Education ministry offers teachers a new pay deal",
            "The offer adds two percent over two years.",
            "The teachers' union will ballot members on the pay offer. Further strike days are "
            "suspended while classrooms reopen.",
        ),
        (
            "Exams delayed by the teachers' strike",
            "Pupils will sit their tests a week later than planned.",
            "Head teachers said the strike days left no time to prepare pupils. The union blamed "
            "the ministry for the pay dispute.",
        ),
    ],
    "City election": [
        (
            "Mayoral candidates clash over housing in first debate",
            "Five candidates set out plans for the city election.",
            "Voters asked about rents and new homes. The mayoral candidates disagreed on building "
            "on green land before the election in May.",
        ),
        (
            "Polls show a tight race for mayor",
            "Two candidates are level with a month to go before the vote.",
            "The poll of city voters found the election campaign narrowing. Turnout is expected to "
            "be higher than at the last mayoral vote.",
        ),
        (
            "Record number register to vote in city election",
            "Young voters make up a third of new registrations.",
            "The electoral office said registration closed with a record. Candidates are "
            "campaigning on campuses to win student votes.",
        ),
        (
            "Candidate pledges free buses if elected mayor",
            "The promise would cost the city twelve million a year.",
            "Rivals in the election said the transport pledge was unaffordable. Voters will choose "
            "the new mayor on the first Sunday of May.",
        ),
    ],
}

# New drafts: (right theme, headline, standfirst). Not copies of the filed articles.
DRAFTS = [
    ("Ceasefire talks", "Negotiators extend the truce by a week", "Mediators said both sides agreed to stop shelling."),
    (
        "Ceasefire talks",
        "Heavy weapons pulled back from the front",
        "Monitors confirmed the withdrawal under the deal.",
    ),
    ("Steel trade dispute", "Car makers lobby against steel tariffs", "Higher prices for steel are raising costs."),
    ("Steel trade dispute", "Trade tribunal to rule on import duties", "The complaint over tariffs will be heard."),
    ("Harbour bridge", "Bridge cables replaced ahead of schedule", "Engineers finished the first repairs early."),
    ("Harbour bridge", "Extra ferry sailings while the harbour crossing is shut", "Queues eased at the terminal."),
    ("Drought", "Water board considers rationing", "Reservoir levels keep falling in the dry weather."),
    ("Drought", "Wells run dry in hill villages", "Tankers bring water as the drought goes on without rain."),
    ("Teachers' strike", "Union rejects the latest pay offer", "Teachers may strike again before the holidays."),
    ("Teachers' strike", "Parents back striking teachers", "A petition for fair pay in schools gathers names."),
    ("City election", "Turnout fears as mayoral campaign ends", "Candidates make final appeals to voters."),
    ("City election", "Second debate focuses on transport", "The candidates for mayor argued over buses and trams."),
]
