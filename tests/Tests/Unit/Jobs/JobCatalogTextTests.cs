using System.Text.RegularExpressions;
using Totallator.Grains.Jobs;

namespace Totallator.Tests.Unit.Jobs;

/// <summary>Definitions are synced in one statement: one the database refuses must stop the silo with its name, not fail every job's sync.</summary>
[Trait("Category", "Unit")]
public sealed class JobCatalogTextTests
{
    private static CronJobDefinition Definition(string name, string description = "") => new()
    {
        Slug = "text-job", Name = name, Description = description, Schedule = "* * * * *", Factory = _ => throw new InvalidOperationException("not run"),
    };

    [Theory]
    [InlineData("nightly\0", "", "name")]
    [InlineData("nightly", @"cut \uD83D", "description")]   // escaped: an attribute cannot carry half a pair
    public void TextTheDatabaseCannotStore_FailsTheCatalog_NamingJobAndField(string name, string escapedDescription, string field)
    {
        var description = Regex.Unescape(escapedDescription);
        var ex = Assert.Throws<InvalidOperationException>(() => new JobCatalog([Definition(name, description)]));
        Assert.Contains("'text-job'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"its {field} holds a NUL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StorableText_IsAccepted()
    {
        Assert.NotNull(new JobCatalog([Definition("Nightly 😀 report", "über")]).Find("text-job"));
    }
}
