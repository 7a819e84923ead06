/** Text in an XML answer (the Query protocols' answers: CloudFormation, RDS, EC2). */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
