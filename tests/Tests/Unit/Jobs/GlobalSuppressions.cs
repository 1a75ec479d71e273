using System.Diagnostics.CodeAnalysis;

// The style guide names unit tests Member_Outcome_WhenCondition (after Hangfire's facts), which CA1707 forbids. Scoped to the job
// tests' namespaces; a "[tests/**.cs] dotnet_diagnostic.CA1707.severity = none" in .editorconfig would make this file unnecessary.
[assembly: SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Scope = "namespaceanddescendants",
    Target = "~N:Totallator.Tests.Unit.Jobs", Justification = "Test names follow Member_Outcome_WhenCondition (STYLE.md §7).")]
[assembly: SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Scope = "namespaceanddescendants",
    Target = "~N:Totallator.Tests.Storage.Jobs", Justification = "Test names follow Member_Outcome_WhenCondition (STYLE.md §7).")]
