// Validates many data files against one shapes graph with Apache Jena's SHACL,
// in one JVM (starting Java once per file costs 1-2 s each).
//
// Run with Java's source launcher, which needs no JDK (the compiler module is in
// Debian's openjdk-*-jre-headless); the classpath comes from tools/jena-classpath:
//
//     java -cp "$(tools/jena-classpath)" tools/ShaclBatch.java SHAPES EXTRA DATA...
//
// SHAPES is the shapes graph; EXTRA is added to every data graph (the ontology's
// class hierarchy, which sh:class follows through rdfs:subClassOf); each DATA is
// validated on its own. For every DATA file it prints one line
//
//     ##<TAB>DATA<TAB>conforms|fails|error<TAB>(error message, when error)
//
// followed by one line per validation result (nodes in N-Triples syntax):
//
//     SEVERITY<TAB>FOCUS<TAB>PATH<TAB>COMPONENT<TAB>SOURCE-SHAPE
//
// Exit code 0 when every file could be read and validated, 2 otherwise.
// Used by tests/test_jena_agreement.py.

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.jena.graph.Graph;
import org.apache.jena.graph.GraphUtil;
import org.apache.jena.graph.Node;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.riot.out.NodeFmtLib;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;
import org.apache.jena.shacl.validation.ReportEntry;

public class ShaclBatch {
    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        if (args.length < 2) {
            System.err.println("usage: ShaclBatch SHAPES EXTRA DATA...");
            System.exit(2);
        }
        Shapes shapes = Shapes.parse(RDFDataMgr.loadGraph(args[0]));
        Graph extra = RDFDataMgr.loadGraph(args[1]);
        ShaclValidator validator = ShaclValidator.get();
        int status = 0;
        for (int i = 2; i < args.length; i++) {
            String file = args[i];
            ValidationReport report;
            try {
                Graph data = RDFDataMgr.loadGraph(file);
                GraphUtil.addInto(data, extra);
                report = validator.validate(shapes, data);
            } catch (RuntimeException error) {
                out.println("##\t" + file + "\terror\t" + oneLine(String.valueOf(error)));
                status = 2;
                continue;
            }
            out.println("##\t" + file + "\t" + (report.conforms() ? "conforms" : "fails") + "\t");
            for (ReportEntry entry : report.getEntries()) {
                out.println(String.join("\t",
                    node(entry.severity().level()),
                    node(entry.focusNode()),
                    entry.resultPath() == null ? "" : oneLine(entry.resultPath().toString()),
                    node(entry.sourceConstraintComponent()),
                    node(entry.source())));
            }
        }
        out.flush();
        System.exit(status);
    }

    private static String node(Node node) {
        return node == null ? "" : oneLine(NodeFmtLib.strNT(node));
    }

    private static String oneLine(String text) {
        return text.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
