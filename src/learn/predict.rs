//! Predictions: what the learner says a step will do (who receives, or
//! whether a connect is admitted), graded per client against what the
//! clients observed, with the idea behind each wrong guess.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::report::{Delivery, Outcome, Reason, StepReport};
use crate::script::{Action, BroadcastAction, Expr, SocketAction, Statement, StatementKind};

/// What the learner answered before a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prediction {
    /// These clients will receive the event (empty: nobody).
    Receivers(BTreeSet<String>),
    /// The connect will be admitted (`true`) or refused.
    Admitted(bool),
    /// `?`: no guess.
    Skipped,
}

/// What a step asks the learner, before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// Who will receive what this statement emits?
    Receivers,
    /// Will this client be admitted, or refused?
    Admission { name: String },
}

impl Question {
    /// The question in words, with how to answer it.
    pub fn text(&self) -> String {
        match self {
            Question::Receivers => {
                "Who will receive it? (names, `-` for nobody, `?` to skip)".to_owned()
            }
            Question::Admission { name } => {
                format!("Will {name} be admitted or refused? (`a`, `r`, `?` to skip)")
            }
        }
    }

    /// Reads an answer; `Err` says why it cannot be read (ask again).
    pub fn parse(&self, answer: &str, clients: &BTreeSet<String>) -> Result<Prediction, String> {
        match self {
            Question::Receivers => parse_receivers(answer, clients),
            Question::Admission { .. } => parse_admission(answer),
        }
    }
}

/// `bob carol` (spaces or commas between names), `-` for nobody, `?` to skip.
pub fn parse_receivers(answer: &str, clients: &BTreeSet<String>) -> Result<Prediction, String> {
    let words: Vec<&str> = answer
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [] => Err(
            "type who will receive it, e.g. `bob carol`; `-` for nobody, `?` to skip".to_owned(),
        ),
        ["?"] => Ok(Prediction::Skipped),
        ["-"] => Ok(Prediction::Receivers(BTreeSet::new())),
        _ => {
            if let Some(unknown) = words.iter().find(|w| !clients.contains(**w)) {
                let known = clients.iter().cloned().collect::<Vec<_>>().join(", ");
                return Err(if clients.is_empty() {
                    format!(
                        "no client is named `{unknown}`: no client has connected yet; answer `-`"
                    )
                } else {
                    format!(
                        "no client is named `{unknown}`; the clients are {known} (or `-` for nobody)"
                    )
                });
            }
            Ok(Prediction::Receivers(
                words.iter().map(|w| (*w).to_owned()).collect(),
            ))
        }
    }
}

/// `a`/`admitted`/`y`/`yes`, `r`/`refused`/`n`/`no`, or `?` to skip.
pub fn parse_admission(answer: &str) -> Result<Prediction, String> {
    match answer.trim().to_ascii_lowercase().as_str() {
        "a" | "admitted" | "admit" | "y" | "yes" => Ok(Prediction::Admitted(true)),
        "r" | "refused" | "refuse" | "n" | "no" => Ok(Prediction::Admitted(false)),
        "?" => Ok(Prediction::Skipped),
        _ => Err("answer `a` (admitted) or `r` (refused), or `?` to skip".to_owned()),
    }
}

/// Decides, statement by statement, what to ask before it runs: who will
/// receive (when it emits, itself or through a handler it sets off), or
/// whether a connect will be admitted (when a middleware guards its
/// namespace, or the namespace is not declared). It follows the statements
/// as they go by, to know the handlers, middlewares and namespaces.
#[derive(Debug, Clone)]
pub struct Asker {
    /// Namespaces the server has (declared so far).
    declared: BTreeSet<String>,
    /// Namespaces with a middleware.
    guarded: BTreeSet<String>,
    /// Handlers by namespace and event (`connection` and `disconnect`
    /// included): whether their action emits.
    handlers: BTreeMap<(String, String), bool>,
    /// Each client's namespace, from its connect.
    namespace_of: BTreeMap<String, String>,
}

impl Default for Asker {
    fn default() -> Self {
        Asker {
            declared: BTreeSet::from(["/".to_owned()]),
            guarded: BTreeSet::new(),
            handlers: BTreeMap::new(),
            namespace_of: BTreeMap::new(),
        }
    }
}

impl Asker {
    /// Every client name connected so far (admitted or not).
    pub fn clients(&self) -> BTreeSet<String> {
        self.namespace_of.keys().cloned().collect()
    }

    /// The question to ask before `statement`, if any; then takes it in.
    pub fn question(&mut self, statement: &Statement) -> Option<Question> {
        let question = self.question_before(statement);
        self.declared
            .extend(statement.declares().into_iter().map(str::to_owned));
        match &statement.kind {
            StatementKind::Use { ns, .. } => {
                self.guarded.insert(ns.clone());
            }
            StatementKind::On { ns, event, action } => {
                let emits = matches!(action, Action::Expr(expr) if emits(expr));
                self.handlers.insert((ns.clone(), event.clone()), emits);
            }
            StatementKind::Connect { name, ns, .. } => {
                self.namespace_of.insert(name.clone(), ns.clone());
            }
            _ => {}
        }
        question
    }

    fn question_before(&self, statement: &Statement) -> Option<Question> {
        let handler_emits = |ns: &str, event: &str| {
            self.handlers
                .get(&(ns.to_owned(), event.to_owned()))
                .copied()
                .unwrap_or(false)
        };
        match &statement.kind {
            StatementKind::Server { expr, .. } if emits(expr) => Some(Question::Receivers),
            StatementKind::ClientEmit { name, event, .. } => {
                let ns = self.namespace_of.get(name).map_or("/", String::as_str);
                handler_emits(ns, event).then_some(Question::Receivers)
            }
            StatementKind::Connect { name, ns, .. } => {
                if self.guarded.contains(ns) || !self.declared.contains(ns) {
                    Some(Question::Admission { name: name.clone() })
                } else {
                    handler_emits(ns, CONNECTION).then_some(Question::Receivers)
                }
            }
            StatementKind::Disconnect { name } => {
                let ns = self.namespace_of.get(name).map_or("/", String::as_str);
                handler_emits(ns, DISCONNECT).then_some(Question::Receivers)
            }
            _ => None,
        }
    }
}

/// The handler names that run when a socket connects and disconnects.
const CONNECTION: &str = "connection";
const DISCONNECT: &str = "disconnect";

/// Whether an expression emits an event.
fn emits(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Socket(SocketAction::Emit { .. })
            | Expr::Broadcast {
                action: BroadcastAction::Emit { .. },
                ..
            }
    )
}

/// The idea a wrong guess was about, from the server's reason (or, for a
/// client that received against the guess, from the statement's form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Idea {
    SenderLeftOut,
    Rooms,
    Except,
    Namespaces,
    OneClient,
    NotConnected,
    Everyone,
    Handlers,
    Middleware,
    Servers,
}

/// Each idea and how it is said: one table for the words and the JSON key.
const IDEAS: [(Idea, &str, &str); 10] = [
    (
        Idea::SenderLeftOut,
        "sender",
        "a broadcast from a socket (`socket.to`, `socket.broadcast`) leaves the sender out",
    ),
    (
        Idea::Rooms,
        "rooms",
        "a broadcast to rooms reaches every socket in any of them, once, and no one else",
    ),
    (
        Idea::Except,
        "except",
        "`except(room)` takes that room's sockets out, even when `to` named them",
    ),
    (
        Idea::Namespaces,
        "namespaces",
        "an emit stays inside its namespace",
    ),
    (
        Idea::OneClient,
        "one-client",
        "`socket.emit` reaches that socket's own client, and only it",
    ),
    (
        Idea::NotConnected,
        "not-connected",
        "a refused or disconnected client receives nothing",
    ),
    (
        Idea::Everyone,
        "everyone",
        "a broadcast without rooms reaches every client of its namespace",
    ),
    (
        Idea::Handlers,
        "handlers",
        "a handler's emit reaches whom its own form says, like any server statement",
    ),
    (
        Idea::Middleware,
        "middleware",
        "a middleware admits a connection only when its auth has the required value",
    ),
    (
        Idea::Servers,
        "servers",
        "without an adapter, a server reaches only its own sockets; an adapter forwards to the others",
    ),
];

impl Idea {
    fn entry(self) -> &'static (Idea, &'static str, &'static str) {
        IDEAS
            .iter()
            .find(|(idea, _, _)| *idea == self)
            .expect("every idea is in IDEAS")
    }

    /// A short key, for JSON.
    pub fn key(self) -> &'static str {
        self.entry().1
    }

    /// The idea in a sentence.
    pub fn sentence(self) -> &'static str {
        self.entry().2
    }

    /// Why a client missed an emit, as an idea.
    pub fn of_reason(reason: &Reason) -> Idea {
        match reason {
            Reason::Sender { .. } => Idea::SenderLeftOut,
            Reason::NotInRooms { .. } => Idea::Rooms,
            Reason::Excepted { .. } => Idea::Except,
            Reason::OtherNamespace { .. } => Idea::Namespaces,
            Reason::NotTheTarget { .. } => Idea::OneClient,
            Reason::NotConnected(_) => Idea::NotConnected,
            Reason::NotDelivered => Idea::Everyone,
            Reason::OtherServer { .. } => Idea::Servers,
        }
    }

    /// Why a client received an emit: what the statement's form reaches.
    pub fn of_reach(statement: &Statement) -> Idea {
        match &statement.kind {
            StatementKind::Server { expr, .. } => match expr {
                Expr::Socket(SocketAction::Emit { .. }) => Idea::OneClient,
                Expr::Broadcast {
                    to,
                    except,
                    action: BroadcastAction::Emit { .. },
                    ..
                } => {
                    // Whoever got it was reached by the form's rooms, or by
                    // no rooms at all (everyone in the namespace, but the
                    // sender for a broadcast from a socket).
                    if !to.is_empty() {
                        Idea::Rooms
                    } else if !except.is_empty() {
                        Idea::Except
                    } else {
                        Idea::Everyone
                    }
                }
                _ => Idea::Everyone,
            },
            _ => Idea::Handlers,
        }
    }
}

impl fmt::Display for Idea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sentence())
    }
}

/// One client of a graded receivers prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientGrade {
    pub name: String,
    /// The learner said it would receive.
    pub said: bool,
    /// It did receive.
    pub got: bool,
    /// Why it did not, from the server's state.
    pub reason: Option<Reason>,
}

impl ClientGrade {
    pub fn right(&self) -> bool {
        self.said == self.got
    }
}

/// A prediction, graded against the step's report.
#[derive(Debug, Clone, PartialEq)]
pub enum Graded {
    /// Every client of the run, in name order.
    Receivers(Vec<ClientGrade>),
    Admission {
        name: String,
        said: bool,
        admitted: bool,
    },
    Skipped,
    /// The step did not do what was asked about (it failed, or did
    /// something else): nothing to grade.
    NotGraded,
}

impl Graded {
    /// Whether the guess was right (a skip or an ungraded step is not).
    pub fn right(&self) -> bool {
        match self {
            Graded::Receivers(clients) => clients.iter().all(ClientGrade::right),
            Graded::Admission { said, admitted, .. } => said == admitted,
            Graded::Skipped | Graded::NotGraded => false,
        }
    }

    /// Whether it counts in the score (a guess on a step that did what was asked).
    pub fn counts(&self) -> bool {
        matches!(self, Graded::Receivers(_) | Graded::Admission { .. })
    }

    /// The ideas behind the wrong parts of the guess, each once.
    pub fn ideas(&self, statement: &Statement) -> BTreeSet<Idea> {
        match self {
            Graded::Receivers(clients) => clients
                .iter()
                .filter(|c| !c.right())
                .map(|c| match &c.reason {
                    Some(reason) => Idea::of_reason(reason),
                    None => Idea::of_reach(statement),
                })
                .collect(),
            Graded::Admission { said, admitted, .. } if said != admitted => {
                BTreeSet::from([Idea::Middleware])
            }
            _ => BTreeSet::new(),
        }
    }
}

/// Grades `prediction` against what a step did: the first of its
/// outcomes (its own, then its handlers') that the question was about.
pub fn grade(prediction: &Prediction, report: &StepReport) -> Graded {
    if *prediction == Prediction::Skipped {
        return Graded::Skipped;
    }
    report
        .outcomes()
        .map(|outcome| grade_outcome(prediction, outcome))
        .find(|g| *g != Graded::NotGraded)
        .unwrap_or_else(|| grade_nothing(prediction, &report.outcome))
}

fn grade_outcome(prediction: &Prediction, outcome: &Outcome) -> Graded {
    match (prediction, outcome) {
        (Prediction::Receivers(said), Outcome::Emit { deliveries, .. }) => Graded::Receivers(
            deliveries
                .iter()
                .map(|(name, delivery)| ClientGrade {
                    name: name.clone(),
                    said: said.contains(name),
                    got: matches!(delivery, Delivery::Received(_)),
                    reason: match delivery {
                        Delivery::Missed(reason) => Some(reason.clone()),
                        Delivery::Received(_) => None,
                    },
                })
                .collect(),
        ),
        (Prediction::Admitted(said), Outcome::Connect { name, error, .. }) => Graded::Admission {
            name: name.clone(),
            said: *said,
            admitted: error.is_none(),
        },
        _ => Graded::NotGraded,
    }
}

/// A receivers guess on a step that emitted nothing at all: every name
/// said is wrong, and `-` is right.
fn grade_nothing(prediction: &Prediction, own: &Outcome) -> Graded {
    match (prediction, own) {
        (Prediction::Receivers(_), Outcome::Error(_)) => Graded::NotGraded,
        (Prediction::Receivers(said), _) => Graded::Receivers(
            said.iter()
                .map(|name| ClientGrade {
                    name: name.clone(),
                    said: true,
                    got: false,
                    reason: None,
                })
                .collect(),
        ),
        _ => Graded::NotGraded,
    }
}

/// The predictions of a lesson, added up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    /// Guesses on steps that did what was asked about.
    pub graded: usize,
    pub right: usize,
    pub skipped: usize,
    /// How many wrong guesses each idea was behind.
    pub ideas: BTreeMap<Idea, usize>,
}

impl Score {
    pub fn add(&mut self, graded: &Graded, statement: &Statement) {
        match graded {
            Graded::Skipped => self.skipped += 1,
            g if g.counts() => {
                self.graded += 1;
                self.right += usize::from(g.right());
                for idea in g.ideas(statement) {
                    *self.ideas.entry(idea).or_default() += 1;
                }
            }
            _ => {}
        }
    }
}

/// A client's line in a predict receipt: `None` when the guess was right.
pub fn wrong_because(client: &ClientGrade) -> Option<String> {
    if client.right() {
        return None;
    }
    let name = &client.name;
    Some(match (&client.reason, client.said) {
        (Some(reason), true) => format!("you said {name}: {}", crate::report::explain(reason)),
        (None, true) => format!("you said {name}, but the step emitted nothing"),
        (_, false) => format!("you left {name} out, but {name} got it"),
    })
}

#[cfg(test)]
mod tests {
    //! Reading answers, grading them per client, and the ideas and score.
    use super::*;
    use crate::report::Room;
    use crate::script::parse_line;

    fn clients() -> BTreeSet<String> {
        ["alice", "bob", "carol"].map(str::to_owned).into()
    }

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn answers_are_names_a_dash_or_a_question_mark() {
        let c = clients();
        assert_eq!(
            parse_receivers(" bob,carol ", &c),
            Ok(Prediction::Receivers(names(&["bob", "carol"])))
        );
        assert_eq!(
            parse_receivers("-", &c),
            Ok(Prediction::Receivers(names(&[])))
        );
        assert_eq!(parse_receivers("?", &c), Ok(Prediction::Skipped));
        assert_eq!(
            parse_receivers("bob dave", &c).unwrap_err(),
            "no client is named `dave`; the clients are alice, bob, carol (or `-` for nobody)"
        );
        assert!(
            parse_receivers("  ", &c)
                .unwrap_err()
                .contains("`-` for nobody")
        );
        assert_eq!(parse_admission("R"), Ok(Prediction::Admitted(false)));
        assert_eq!(parse_admission("yes"), Ok(Prediction::Admitted(true)));
        assert!(parse_admission("maybe").is_err());
    }

    fn sender_step() -> (Statement, StepReport) {
        let statement = parse_line(1, "alice: socket.to(\"lobby\").emit(\"chat\", \"hi\")")
            .unwrap()
            .unwrap();
        let report = StepReport::new(
            1,
            statement.code.clone(),
            Outcome::Emit {
                event: "chat".into(),
                deliveries: BTreeMap::from([
                    (
                        "alice".to_owned(),
                        Delivery::Missed(Reason::Sender {
                            despite_rooms: vec![Room::Name("lobby".into())],
                        }),
                    ),
                    ("bob".to_owned(), Delivery::Received(vec!["hi".into()])),
                    (
                        "carol".to_owned(),
                        Delivery::Missed(Reason::NotInRooms {
                            rooms: vec![Room::Name("lobby".into())],
                        }),
                    ),
                ]),
            },
        );
        (statement, report)
    }

    #[test]
    fn a_wrong_guess_is_graded_per_client_with_the_real_reason() {
        let (statement, report) = sender_step();
        let graded = grade(&Prediction::Receivers(names(&["alice", "bob"])), &report);
        assert!(!graded.right());
        let Graded::Receivers(clients) = &graded else {
            panic!("{graded:?}")
        };
        let wrong: Vec<String> = clients.iter().filter_map(wrong_because).collect();
        assert_eq!(
            wrong,
            ["you said alice: the sender: left out even though it is in \"lobby\""]
        );
        assert_eq!(
            graded.ideas(&statement),
            BTreeSet::from([Idea::SenderLeftOut])
        );

        let right = grade(&Prediction::Receivers(names(&["bob"])), &report);
        assert!(right.right());
        let mut score = Score::default();
        score.add(&graded, &statement);
        score.add(&right, &statement);
        score.add(&grade(&Prediction::Skipped, &report), &statement);
        assert_eq!((score.graded, score.right, score.skipped), (2, 1, 1));
        assert_eq!(score.ideas, BTreeMap::from([(Idea::SenderLeftOut, 1)]));
    }

    #[test]
    fn leaving_out_a_receiver_points_at_what_the_form_reaches() {
        let (_, report) = sender_step();
        let to_rooms = parse_line(1, "io.to(\"lobby\").emit(\"chat\")")
            .unwrap()
            .unwrap();
        let graded = grade(&Prediction::Receivers(names(&[])), &report);
        let Graded::Receivers(clients) = &graded else {
            panic!()
        };
        let wrong: Vec<String> = clients.iter().filter_map(wrong_because).collect();
        assert_eq!(wrong, ["you left bob out, but bob got it"]);
        assert_eq!(graded.ideas(&to_rooms), BTreeSet::from([Idea::Rooms]));
    }

    #[test]
    fn admission_guesses_are_graded_and_point_at_middleware() {
        let statement = parse_line(1, "connect gus /admin").unwrap().unwrap();
        let report = StepReport::new(
            1,
            statement.code.clone(),
            Outcome::Connect {
                name: "gus".into(),
                ns: "/admin".into(),
                server: None,
                error: Some("not allowed".into()),
                no_namespace: false,
            },
        );
        let graded = grade(&Prediction::Admitted(true), &report);
        assert!(!graded.right());
        assert_eq!(graded.ideas(&statement), BTreeSet::from([Idea::Middleware]));
        assert!(grade(&Prediction::Admitted(false), &report).right());
        // A receivers guess on a connect that emitted nothing: `-` is right,
        // a name is wrong.
        assert!(grade(&Prediction::Receivers(names(&[])), &report).right());
        assert!(!grade(&Prediction::Receivers(names(&["gus"])), &report).right());
    }

    #[test]
    fn asks_before_emits_handled_emits_and_connects_that_may_be_refused() {
        let script = [
            "connect alice",                // 1: nothing to ask
            "connect bob",                  // 2
            "alice: socket.join(\"r\")",    // 3
            "io.to(\"r\").emit(\"x\")",     // 4: who receives?
            "alice> socket.emit(\"ping\")", // 5: no handler yet
            "on \"ping\": socket.emit(\"pong\")",
            "on \"join\": socket.join(msg)",
            "alice> socket.emit(\"ping\")", // 8: its handler emits
            "bob> socket.emit(\"join\", \"r\")", // 9: its handler joins
            "use /admin require token \"t\"",
            "connect carol /admin", // 11: guarded
            "connect dave /other",  // 12: not declared
            "io.of(\"/other\")",
            "connect dave /other", // 14: declared, open
            "on \"connection\": socket.emit(\"hi\")",
            "connect erin", // 16: the connection handler emits
            "on \"disconnect\": io.emit(\"bye\", msg)",
            "disconnect bob", // 18: the disconnect handler emits
        ]
        .join("\n");
        let statements = crate::script::parse_script(&script).unwrap();
        let mut asker = Asker::default();
        let asked: Vec<(usize, Question)> = statements
            .iter()
            .filter_map(|s| asker.question(s).map(|q| (s.line, q)))
            .collect();
        let admission = |name: &str| Question::Admission {
            name: name.to_owned(),
        };
        assert_eq!(
            asked,
            [
                (4, Question::Receivers),
                (8, Question::Receivers),
                (11, admission("carol")),
                (12, admission("dave")),
                (16, Question::Receivers),
                (18, Question::Receivers),
            ]
        );
    }

    #[test]
    fn every_idea_has_words() {
        for (idea, key, sentence) in IDEAS {
            assert_eq!(idea.key(), key);
            assert!(!sentence.is_empty());
        }
    }
}
