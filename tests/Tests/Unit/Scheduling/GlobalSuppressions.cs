using System.Diagnostics.CodeAnalysis;

// The style guide names unit tests Member_Outcome_WhenCondition (after Hangfire's facts), which CA1707 forbids. Scoped to the
// scheduling tests' namespace, as Unit/Jobs/GlobalSuppressions.cs does for the job tests.
[assembly: SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Scope = "namespaceanddescendants",
    Target = "~N:Totallator.Tests.Unit.Scheduling", Justification = "Test names follow Member_Outcome_WhenCondition (STYLE.md §7).")]
