const path=require('path');const OUT='/work/main/out/bench';
const { CaseChild } = require(path.join(OUT, 'caseChild'));
const { sampleTree } = require(path.join(OUT, 'procTree'));
const variants=(process.argv[2]||'flag,runtime,none').split(',');const R=Number(process.argv[3]||5);
(async()=>{
 const kids={};
 for(const v of variants){const env={...process.env,LB_AB:v};
  kids[v+':fresh10k']=await CaseChild.start({kind:'engine',mode:'process',workers:2,rows:10000,fixture:'trivial',warmup:true},env);
  kids[v+':fixed']=await CaseChild.start({kind:'engine',mode:'process',workers:2,rows:2,fixture:'trivial',warmup:true},env);
  kids[v+':warm100k']=await CaseChild.start({kind:'engine',mode:'process',workers:2,rows:100000,fixture:'trivial',warmup:true,keepWorkers:true},env);}
 const names=Object.keys(kids);const res={};names.forEach(n=>res[n]=[]);
 for(let r=0;r<R;r++){const order=r%2?[...names].reverse():names;for(const n of order){const s=await kids[n].run();res[n].push(s.ms)}}
 await Promise.all(Object.values(kids).map(k=>k.end()));
 const med=a=>{const b=[...a].sort((x,y)=>x-y);return b[b.length>>1]};
 for(const n of names) console.log(n.padEnd(18),'median',med(res[n]).toFixed(1),'ms  all',res[n].map(x=>x.toFixed(0)).join(' '));
 // memory
 for(const v of variants){const child=await CaseChild.start({kind:'memory',rows:100000},{...process.env,LB_AB:v});const s=sampleTree(child.pid,10);await child.run();const m=s.stop();await child.end();console.log(v,'memory tree',m.peakTreeMb.toFixed(0),'rss sum',m.peakTreeRssMb.toFixed(0));}
 process.exit(0)})();
